"""Sections 1–4: the expert's background, and the challenges the article names: fragmentation,
divergent perceptions of security risks, and the AI divide seen from the Global South."""

from .survey import bilingual, choice, other_choice, show_if

ABOUT_YOU = {
    "title": bilingual("About you and your work", "关于您和您的工作"),
    "intro": bilingual(
        "A few questions about your background. They let us compare views across fields and are "
        "never used to identify you.",
        "以下问题涉及您的专业背景，仅用于比较不同领域专家的观点，不会用于识别您的身份。",
    ),
    "questions": [
        {
            "code": "focus_area",
            "type": "single_choice",
            "required": True,
            "text": bilingual(
                "Which area best describes your main focus in AI governance?",
                "以下哪一项最能描述您在人工智能治理领域的主要关注方向？",
            ),
            "choices": [
                choice("law_regulation", "Law and regulation", "法律与监管"),
                choice("technical_safety", "Technical AI safety and evaluation", "人工智能技术安全与评测"),
                choice("ethics", "Ethics and human rights", "伦理与人权"),
                choice("international_relations", "International relations and diplomacy", "国际关系与外交"),
                choice("economics_development", "Economics and development", "经济与发展"),
                choice("standards", "Standards and certification", "标准与认证"),
                other_choice(),
            ],
        },
        {
            "code": "years_ai_policy",
            "type": "number",
            "required": True,
            "min_value": 0,
            "max_value": 60,
            "text": bilingual(
                "For how many years have you worked on AI policy or governance?",
                "您从事人工智能政策或治理相关工作有多少年？",
            ),
            "help_text": bilingual(
                "Whole years; enter 0 if less than one year.", "请填写整数年数；不足一年请填0。"
            ),
        },
        {
            "code": "expertise_field",
            "type": "short_text",
            "text": bilingual(
                "In a few words, what is your main field of expertise?", "请用几个词概括您的主要专业领域。"
            ),
        },
        {
            "code": "intl_processes",
            "type": "multiple_choice",
            "text": bilingual(
                "In which international AI governance processes have you taken part in the past two years?",
                "过去两年中，您参与过哪些国际人工智能治理进程？",
            ),
            "help_text": bilingual("Tick all that apply.", "可多选。"),
            "choices": [
                choice(
                    "un_processes",
                    "UN processes (e.g. Global Digital Compact consultations)",
                    "联合国相关进程（如《全球数字契约》磋商）",
                ),
                choice("oecd_gpai", "OECD / Global Partnership on AI", "经合组织 / 全球人工智能合作伙伴关系"),
                choice("g7_hiroshima", "G7 Hiroshima AI Process", "七国集团广岛人工智能进程"),
                choice(
                    "ai_safety_summits",
                    "AI safety and action summits (Bletchley Park, Seoul, Paris)",
                    "人工智能安全峰会与行动峰会（布莱奇利园、首尔、巴黎）",
                ),
                choice("brics", "BRICS cooperation on AI", "金砖国家人工智能合作"),
                choice(
                    "standards_bodies",
                    "Standards bodies (ISO/IEC, ITU, IEEE)",
                    "标准化组织（ISO/IEC、国际电联、IEEE）",
                ),
                choice(
                    "world_ai_conference",
                    "World Artificial Intelligence Conference (Shanghai)",
                    "世界人工智能大会（上海）",
                ),
                other_choice(),
                choice("none", "None / don't know", "均未参与 / 不清楚", is_exclusive=True),
            ],
        },
    ],
}

FRAGMENTATION = {
    "title": bilingual("Fragmentation of AI governance", "人工智能治理的碎片化"),
    "intro": bilingual(
        "Over the past year, countries and international organisations have launched many AI "
        "governance initiatives. These questions ask how well they fit together.",
        "过去一年，各国和国际组织推出了大量人工智能治理倡议。以下问题关注这些倡议能否相互衔接。",
    ),
    "questions": [
        {
            "code": "frag_hinders_cooperation",
            "type": "likert",
            "scale_points": 5,
            "required": True,
            "text": bilingual(
                "The multiplicity of overlapping AI governance initiatives hinders effective "
                "international cooperation.",
                "相互重叠的人工智能治理倡议数量众多，阻碍了有效的国际合作。",
            ),
        },
        {
            "code": "frag_consequences",
            "type": "long_text",
            "show_if": show_if("frag_hinders_cooperation", "at_least", 4),
            "text": bilingual(
                "You see fragmentation as an obstacle. "
                "Which of its consequences worry you most, and for whom?",
                "您认为碎片化是一种障碍。它带来的哪些后果最令您担忧？对谁影响最大？",
            ),
        },
        {
            "code": "frag_main_cause",
            "type": "single_choice",
            "text": bilingual(
                "What is the main driver of this fragmentation?", "造成这种碎片化的主要原因是什么？"
            ),
            "choices": [
                choice(
                    "geopolitical_competition",
                    "Geopolitical competition between major powers",
                    "大国之间的地缘政治竞争",
                ),
                choice("different_values", "Different values and legal traditions", "价值观与法律传统的差异"),
                choice(
                    "development_gaps", "Different levels of development and capacity", "发展水平与能力的差距"
                ),
                choice("competing_standards", "Competing industry standards", "相互竞争的行业标准"),
                choice("no_central_body", "The lack of a central coordinating body", "缺乏统一的协调机构"),
            ],
        },
        {
            "code": "frag_alignment_feasible",
            "type": "likert",
            "scale_points": 7,
            "text": bilingual(
                "Making the main AI governance frameworks (UN, OECD, G7, regional and national rules) "
                "compatible with each other is achievable within five years.",
                "在五年内使主要的人工智能治理框架（联合国、经合组织、七国集团以及区域和国家规则）相互兼容是可以实现的。",
            ),
        },
    ],
}

SECURITY_RISKS = {
    "title": bilingual("Divergent perceptions of security risks", "对安全风险的不同认知"),
    "intro": bilingual(
        "Countries and communities weigh the risks of AI differently. "
        "Which risks do you consider most pressing?",
        "不同国家和群体对人工智能风险的判断各不相同。您认为哪些风险最为紧迫？",
    ),
    "questions": [
        {
            "code": "risk_top_concern",
            "type": "single_choice",
            "required": True,
            "text": bilingual(
                "Which AI-related risk should international governance address first?",
                "国际治理应当优先应对哪一类人工智能风险？",
            ),
            "choices": [
                choice(
                    "loss_of_control",
                    "Loss of control over highly capable AI systems",
                    "对高能力人工智能系统失去控制",
                ),
                choice(
                    "malicious_misuse",
                    "Malicious misuse (e.g. cyber attacks, biological threats)",
                    "恶意滥用（如网络攻击、生物威胁）",
                ),
                choice("military_use", "Military uses and autonomous weapons", "军事用途与自主武器"),
                choice(
                    "disinformation",
                    "Disinformation and manipulation of public opinion",
                    "虚假信息与舆论操纵",
                ),
                choice("labour_disruption", "Disruption of labour markets", "对劳动力市场的冲击"),
                choice(
                    "inequality_between_countries",
                    "Growing inequality between countries",
                    "国家之间日益扩大的不平等",
                ),
                choice(
                    "privacy_surveillance", "Privacy violations and mass surveillance", "隐私侵犯与大规模监控"
                ),
            ],
        },
        {
            "code": "risk_frontier_catastrophic",
            "type": "likert",
            "scale_points": 5,
            "text": bilingual(
                "Loss of control over advanced AI systems is among the most serious risks humanity faces.",
                "对先进人工智能系统失去控制是人类面临的最严重风险之一。",
            ),
        },
        {
            "code": "risk_perceptions_converging",
            "type": "likert",
            "scale_points": 5,
            "text": bilingual(
                "Governments' perceptions of AI security risks are converging.",
                "各国政府对人工智能安全风险的认知正在趋于一致。",
            ),
        },
        {
            "code": "risk_urgency",
            "type": "scale_0_10",
            "text": bilingual(
                "How urgent is a shared international approach to testing "
                "and evaluating the safety of AI systems?",
                "国际社会就人工智能系统的安全测试与评估形成共同做法，紧迫性有多高？",
            ),
            "help_text": bilingual(
                "0 = not urgent at all, 10 = extremely urgent", "0 = 完全不紧迫，10 = 极其紧迫"
            ),
        },
    ],
}

AI_DIVIDE = {
    "title": bilingual("The AI divide and Global South priorities", "人工智能鸿沟与全球南方的优先事项"),
    "intro": bilingual(
        "Demands from the Global South centre on closing the AI divide: equitable access to advanced "
        "technologies, and a voice in rule-making that technological dependency does not take away.",
        "全球南方的诉求集中于弥合人工智能鸿沟：公平获取先进技术，并避免因技术依赖而丧失在规则制定中的话语权。",
    ),
    "questions": [
        {
            "code": "divide_widening",
            "type": "likert",
            "scale_points": 5,
            "required": True,
            "text": bilingual(
                "The AI divide between developed and developing countries is widening.",
                "发达国家与发展中国家之间的人工智能鸿沟正在扩大。",
            ),
        },
        {
            "code": "divide_main_barrier",
            "type": "single_choice",
            "text": bilingual(
                "What is the biggest barrier keeping developing countries from benefiting from AI?",
                "发展中国家从人工智能中获益的最大障碍是什么？",
            ),
            "choices": [
                choice("compute", "Access to computing power", "算力获取"),
                choice("data", "Data, especially in local languages", "数据，尤其是本地语言数据"),
                choice("talent", "Skilled people and training", "专业人才与培训"),
                choice("funding", "Funding and investment", "资金与投资"),
                choice(
                    "infrastructure",
                    "Basic infrastructure (connectivity, electricity)",
                    "基础设施（网络连接、电力）",
                ),
                choice(
                    "restricted_access",
                    "Restrictions on access to advanced chips and models",
                    "获取先进芯片和模型受到限制",
                ),
            ],
        },
        {
            "code": "divide_inequality_measures",
            "type": "long_text",
            "show_if": show_if("risk_top_concern", "equals", "inequality_between_countries"),
            "text": bilingual(
                "Earlier you named growing inequality between countries as the risk to address first. "
                "What would reduce it most effectively?",
                "您在前面将国家之间日益扩大的不平等列为最应优先应对的风险。您认为什么措施能最有效地缓解这一问题？",
            ),
        },
        {
            "code": "south_priority_access",
            "type": "likert",
            "scale_points": 5,
            "text": bilingual(
                "Equitable access to advanced AI technologies should be "
                "a top priority of global AI governance.",
                "公平获取先进人工智能技术应当成为全球人工智能治理的首要优先事项。",
            ),
        },
        {
            "code": "south_priority_voice",
            "type": "likert",
            "scale_points": 5,
            "text": bilingual(
                "Developing countries need a much stronger voice in making international AI rules.",
                "发展中国家在国际人工智能规则制定中需要更大的话语权。",
            ),
        },
        {
            "code": "divide_dependency_concern",
            "type": "likert",
            "scale_points": 5,
            "text": bilingual(
                "Dependence on foreign AI technology risks leaving countries "
                "without a real voice in how AI is governed.",
                "对外国人工智能技术的依赖，可能使一些国家在人工智能治理中失去真正的话语权。",
            ),
        },
        {
            "code": "south_best_channel",
            "type": "single_choice",
            "text": bilingual(
                "Which channel best advances the interests of the Global South in AI governance?",
                "哪种渠道最能在人工智能治理中维护全球南方的利益？",
            ),
            "choices": [
                choice("un_system", "The United Nations system", "联合国系统"),
                choice(
                    "regional_organisations",
                    "Regional organisations (e.g. African Union, ASEAN)",
                    "区域组织（如非洲联盟、东盟）",
                ),
                choice("brics_g20", "BRICS and the G20", "金砖国家与二十国集团"),
                choice("bilateral_partnerships", "Bilateral partnerships", "双边合作伙伴关系"),
                choice("open_source_communities", "Open-source communities", "开源社区"),
                choice(
                    "multistakeholder_fora",
                    "Multi-stakeholder fora (e.g. the Internet Governance Forum)",
                    "多利益相关方论坛（如互联网治理论坛）",
                ),
            ],
        },
        {
            "code": "south_regional_org",
            "type": "short_text",
            "show_if": show_if("south_best_channel", "equals", "regional_organisations"),
            "text": bilingual("Which regional organisation do you have in mind?", "您指的是哪个区域组织？"),
        },
    ],
}
