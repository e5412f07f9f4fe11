"""Sections 5–8: the UN's central role, open-source cooperation and a World AI Cooperation
Organization, multi-stakeholder participation and rule alignment, and the outlook with the open
interview questions."""

from .survey import SIGNIFICANCE_LABELS, bilingual, choice, other_choice, show_if

UNITED_NATIONS = {
    "title": bilingual("The central role of the United Nations", "联合国的核心作用"),
    "intro": bilingual(
        "In 2024 the UN General Assembly adopted its first resolutions on AI, including one on AI "
        "capacity building, and the Summit of the Future adopted the Global Digital Compact.",
        "2024年，联合国大会通过了首批人工智能决议，其中包括关于人工智能能力建设的决议；未来峰会通过了《全球数字契约》。",
    ),
    "questions": [
        {
            "code": "un_central_role",
            "type": "likert",
            "scale_points": 5,
            "required": True,
            "text": bilingual(
                "The United Nations should play the central role in global AI governance.",
                "联合国应当在全球人工智能治理中发挥核心作用。",
            ),
        },
        {
            "code": "un_role_doubts",
            "type": "long_text",
            "show_if": show_if("un_central_role", "at_most", 2),
            "text": bilingual(
                "What stands in the way of a central role for the UN, in your view?",
                "在您看来，是什么阻碍了联合国发挥核心作用？",
            ),
        },
        {
            "code": "un_priority_functions",
            "type": "ranking",
            "rank_top_k": 3,
            "required": True,
            "text": bilingual(
                "Which functions should the UN prioritise in AI governance? Rank your top three.",
                "联合国在人工智能治理中应优先履行哪些职能？请选出最重要的三项并排序。",
            ),
            "choices": [
                choice(
                    "align_initiatives",
                    "Act as a hub that aligns the outcomes of different initiatives",
                    "作为枢纽，统筹对接各类倡议的成果",
                ),
                choice(
                    "south_south", "Promote cooperation within the Global South", "促进全球南方国家之间的合作"
                ),
                choice(
                    "north_south", "Promote cooperation between the Global North and South", "促进南北合作"
                ),
                choice(
                    "coordinate_stakeholders",
                    "Coordinate governments, companies, academia and civil society",
                    "协调政府、企业、学术界和民间社会等各方",
                ),
                choice("capacity_building", "Strengthen AI capacity building", "加强人工智能能力建设"),
                choice(
                    "scientific_assessment",
                    "Provide independent scientific assessment of AI risks and opportunities",
                    "就人工智能的风险与机遇提供独立的科学评估",
                ),
            ],
        },
        {
            "code": "un_2024_steps_significance",
            "type": "likert",
            "scale_points": 5,
            "scale_labels": SIGNIFICANCE_LABELS,
            "text": bilingual(
                "How significant are the 2024 UN resolutions on AI and the Global Digital Compact as "
                "steps towards a universal approach to AI governance?",
                "2024年联合国人工智能决议和《全球数字契约》作为迈向普遍性人工智能治理的步骤，意义有多大？",
            ),
        },
    ],
}

COOPERATION = {
    "title": bilingual(
        "Open-source cooperation and a World AI Cooperation Organization", "开源合作与世界人工智能合作组织"
    ),
    "intro": bilingual(
        "China has released the Global AI Governance Action Plan, put forward an initiative on "
        "international open-source AI cooperation and proposed a World AI Cooperation Organization.",
        "中国发布了《人工智能全球治理行动计划》，提出开源人工智能国际合作倡议，并倡议成立世界人工智能合作组织。",
    ),
    "questions": [
        {
            "code": "os_reduces_divide",
            "type": "likert",
            "scale_points": 5,
            "text": bilingual(
                "International open-source cooperation can substantially narrow the AI divide.",
                "国际开源合作能够显著缩小人工智能鸿沟。",
            ),
        },
        {
            "code": "os_frontier_weights_risk",
            "type": "likert",
            "scale_points": 5,
            "text": bilingual(
                "Openly releasing the weights of the most capable models "
                "creates unacceptable security risks.",
                "公开发布最强大模型的权重会带来不可接受的安全风险。",
            ),
        },
        {
            "code": "wcao_support",
            "type": "likert",
            "scale_points": 5,
            "required": True,
            "text": bilingual(
                "I support establishing a World AI Cooperation Organization.",
                "我支持成立世界人工智能合作组织。",
            ),
        },
        {
            "code": "wcao_preferred_form",
            "type": "single_choice",
            "text": bilingual(
                "What form should international AI cooperation of this kind take?",
                "此类国际人工智能合作应当采取何种形式？",
            ),
            "choices": [
                choice("within_un_system", "A body within the UN system", "设在联合国系统内的机构"),
                choice(
                    "new_organisation", "A new, standalone international organisation", "一个新的独立国际组织"
                ),
                choice("network_existing", "A network of existing institutions", "由现有机构组成的合作网络"),
                choice("not_needed", "No new body is needed", "无需设立新机构"),
            ],
        },
        {
            "code": "wcao_conditions",
            "type": "long_text",
            "show_if": show_if("wcao_support", "at_most", 3),
            "text": bilingual(
                "What would such an organisation need for you to support it?",
                "这样的组织需要具备哪些条件，您才会支持？",
            ),
        },
    ],
}

STAKEHOLDERS = {
    "title": bilingual("Multi-stakeholder participation and rule alignment", "多利益相关方参与与规则对接"),
    "questions": [
        {
            "code": "ms_industry_influence",
            "type": "likert",
            "scale_points": 5,
            "text": bilingual(
                "Companies currently have too much influence on AI rule-making "
                "compared with other stakeholders.",
                "与其他利益相关方相比，企业目前对人工智能规则制定的影响力过大。",
            ),
        },
        {
            "code": "ms_missing_stakeholders",
            "type": "multiple_choice",
            "text": bilingual(
                "Which groups are under-represented in global AI governance today?",
                "目前哪些群体在全球人工智能治理中代表性不足？",
            ),
            "help_text": bilingual("Tick all that apply.", "可多选。"),
            "choices": [
                choice(
                    "developing_country_governments", "Governments of developing countries", "发展中国家政府"
                ),
                choice("civil_society", "Civil society organisations", "民间社会组织"),
                choice("academia", "Universities and research institutes", "高校与科研机构"),
                choice("smes_startups", "Small companies and start-ups", "中小企业与初创企业"),
                choice("affected_communities", "Workers and affected communities", "劳动者与受影响的社区"),
                choice(
                    "technical_community", "The technical and open-source community", "技术社群与开源社区"
                ),
                other_choice(),
                choice("none_dont_know", "None / don't know", "没有 / 不清楚", is_exclusive=True),
            ],
        },
        {
            "code": "ms_alignment_priority",
            "type": "single_choice",
            "text": bilingual(
                "Where is aligning rules across jurisdictions most needed?",
                "在哪个领域最需要推动不同司法辖区之间的规则对接？",
            ),
            "choices": [
                choice("safety_testing", "Safety testing and evaluation", "安全测试与评估"),
                choice("risk_classification", "Risk classification of AI systems", "人工智能系统的风险分级"),
                choice(
                    "data_governance", "Data governance and cross-border data flows", "数据治理与数据跨境流动"
                ),
                choice("content_labelling", "Labelling of AI-generated content", "人工智能生成内容的标识"),
                choice("liability", "Liability for harm", "损害责任"),
                choice("technology_access", "Export controls and access to technology", "出口管制与技术获取"),
            ],
        },
        {
            "code": "ms_most_influential_country",
            "type": "country",
            "text": bilingual(
                "Which country's approach to AI governance do you currently "
                "consider most influential internationally?",
                "您认为目前哪个国家的人工智能治理路径在国际上最具影响力？",
            ),
        },
    ],
}

OUTLOOK = {
    "title": bilingual("Outlook, and your views in your own words", "展望与开放式问题"),
    "intro": bilingual(
        "The open questions follow the study's interview guide. Write as much or as little as you like.",
        "以下开放式问题沿用本研究的访谈提纲，篇幅不限。",
    ),
    "questions": [
        {
            "code": "outlook_inclusive_5y",
            "type": "scale_0_10",
            "required": True,
            "text": bilingual(
                "How optimistic are you that global AI governance will be more inclusive in five years?",
                "您对五年后全球人工智能治理将更具包容性有多乐观？",
            ),
            "help_text": bilingual(
                "0 = not at all optimistic, 10 = very optimistic", "0 = 完全不乐观，10 = 非常乐观"
            ),
        },
        {
            "code": "open_biggest_obstacle",
            "type": "long_text",
            "text": bilingual(
                "What is the biggest obstacle to inclusive global AI governance today?",
                "当前实现包容性全球人工智能治理的最大障碍是什么？",
            ),
        },
        {
            "code": "open_un_recommendation",
            "type": "long_text",
            "text": bilingual(
                "If you could make one recommendation to the United Nations "
                "on AI governance, what would it be?",
                "如果您可以就人工智能治理向联合国提出一条建议，会是什么？",
            ),
        },
        {
            "code": "open_china_role",
            "type": "long_text",
            "text": bilingual(
                "How do you see China's role in global AI governance, now and in the coming years?",
                "您如何看待中国当前及未来几年在全球人工智能治理中的作用？",
            ),
        },
    ],
}
