"""What synthetic experts write: open answers built from sentence fragments, in English or Chinese.

An open answer is an opening sentence, usually a detail sentence and sometimes a closing remark,
so answers differ while staying on topic. ``{country}`` becomes the expert's country. A few
fragments hold <, & and quotes on purpose, to exercise escaping wherever answers are shown.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from ..geography import country_groups

if TYPE_CHECKING:
    from .panel import Profile

# code: {language: (openings, details)}
OPEN_ANSWERS = {
    "frag_consequences": {
        "en": (
            (
                "Forum shopping is the most visible consequence: companies pick the most lenient rulebook.",
                "The biggest cost falls on smaller countries, whose delegations cannot follow a dozen "
                "parallel processes at once.",
                "Duplicated reporting duties waste scarce regulatory capacity, especially in {country}.",
                "Fragmentation turns technical questions such as safety testing into loyalty tests.",
                "Start-ups and universities face incompatible rules before they have a product.",
                "Without a common baseline, incidents in one jurisdiction teach nothing to the others.",
            ),
            (
                "Mutual recognition of evaluations would already remove much of the friction.",
                "Developing countries end up as rule-takers rather than rule-makers.",
                "Civil society cannot monitor so many venues, so accountability weakens.",
                "The risk is a race to the bottom on safety and a race to the top on rhetoric.",
                "What we need is interoperability, not uniformity.",
                "Even within {country}, ministries sometimes follow different international templates.",
            ),
        ),
        "zh-hans": (
            (
                "最直接的后果是“监管套利”：企业会选择最宽松的规则体系。",
                "小国和发展中国家代表团人手有限，很难同时跟进十几个平行进程。",
                "重复的合规和报告要求，正在消耗本就稀缺的监管能力。",
                "碎片化使安全测试等技术问题也被赋予了地缘政治色彩。",
                "缺乏共同底线，一个国家的事故经验难以为其他国家所借鉴。",
            ),
            (
                "评测结果的互认可以在很大程度上减少摩擦。",
                "发展中国家最终只能被动接受规则，而不是参与制定规则。",
                "我们需要的是互操作性，而不是完全统一。",
                "即使在{country}国内，不同部门参照的国际框架也不尽相同。",
            ),
        ),
    },
    "divide_inequality_measures": {
        "en": (
            (
                "Shared compute is the most concrete lever: a pooled regional facility would change what "
                "researchers in {country} can attempt.",
                "Capacity building must go beyond workshops; local institutions need long-term funding.",
                "Open models help only if countries also have the data, skills and electricity to use them.",
                "Technology transfer should come with training for local engineers, not only sales.",
                "Datasets in low-resource languages are a public good; international funds should pay.",
                "Predictable access to chips matters more than any declaration.",
            ),
            (
                "The UN resolution on capacity building is a good start but needs a budget.",
                "South–South exchanges are often cheaper and more relevant than North–South programmes.",
                "Progress should be measured by what local institutions can do alone after five years.",
                "Without this, the divide will become a permanent dependency.",
                "Regional centres of excellence could share costs across several countries.",
                "Donors should stop funding pilots that end when the grant ends.",
            ),
        ),
        "zh-hans": (
            (
                "最切实的措施是共享算力，例如建设区域性的算力中心。",
                "能力建设不能停留在培训班层面，而要长期支持本地机构。",
                "开源模型只有在数据、人才和电力都具备的情况下才能真正发挥作用。",
                "应当把技术转移与培养本地工程师结合起来。",
                "低资源语言的数据集是国际公共产品，应由国际资金支持。",
            ),
            (
                "联合国关于能力建设的决议是良好的开端，但需要配套资金。",
                "南南合作往往比传统援助更务实、更贴合需求。",
                "否则，鸿沟将固化为长期的技术依赖。",
                "衡量成效的标准应是五年后本地机构能否独立开展工作。",
            ),
        ),
    },
    "un_role_doubts": {
        "en": (
            (
                "The UN moves at the speed of consensus, and AI does not.",
                "Major powers will not hand authority over a strategic technology to a body where they can "
                "be outvoted.",
                "The UN has legitimacy but little technical expertise in-house.",
                "Industry, which builds the systems, has no formal seat at the table.",
                "New mandates arrive without new resources.",
                "Overlapping agencies (ITU, UNESCO, OHCHR and others) compete rather than coordinate.",
            ),
            (
                "A lighter role as convenor and scientific reference point is more realistic.",
                "Standards bodies and national regulators will set the practical rules.",
                "Its resolutions are useful signals but rarely change what companies do.",
                "I would rather see the UN focus on capacity building, where it has a track record.",
                "In {country}, the debate is driven by domestic regulators, not by New York or Geneva.",
                "That said, no other body can give every country a voice.",
            ),
        ),
        "zh-hans": (
            (
                "联合国以协商一致为原则，决策速度难以跟上技术发展。",
                "大国不太可能把战略性技术的实际治理权交给一个可能被多数票否决的机构。",
                "联合国具有合法性，但内部缺乏足够的技术专业能力。",
                "联合国各机构职能交叉，彼此之间竞争多于协调。",
            ),
            (
                "更现实的定位是召集者和科学参考平台。",
                "实际规则更可能由标准组织和各国监管机构制定。",
                "当然，目前也没有其他机构能够让所有国家都有发言权。",
                "在{country}，相关讨论主要由国内监管机构推动。",
            ),
        ),
    },
    "wcao_conditions": {
        "en": (
            (
                "A clear mandate that complements, rather than duplicates, existing UN bodies.",
                "Open membership and transparent decision-making, with a real role for non-state actors.",
                "Independent technical staff, not secondees who answer to their capitals.",
                "Commitments on safety that bind its founders as much as its newer members.",
                "Credible participation of the United States, the European Union and China alike.",
                "A concrete work programme on compute, data and skills rather than another declaration.",
            ),
            (
                "Without broad participation it would deepen fragmentation instead of reducing it.",
                "Funding should not depend on a single country.",
                "I would also want a review clause after five years.",
                "Its leadership should rotate between regions.",
                "Developing countries must be able to shape its agenda from the start.",
                "If those conditions are met, {country} should join early.",
            ),
        ),
        "zh-hans": (
            (
                "需要明确的职能定位，与联合国现有机构形成互补而非重复。",
                "成员资格应当开放，决策过程应当透明，并让非国家行为体真正参与。",
                "需要一支独立的专业技术团队。",
                "需要主要大国的共同参与，否则难以发挥作用。",
                "应以算力、数据、人才等具体合作项目为抓手，而不只是发表宣言。",
            ),
            (
                "否则可能加剧而不是缓解治理的碎片化。",
                "经费来源应当多元化。",
                "发展中国家应当从一开始就参与议程设置。",
                "如果满足这些条件，{country}应尽早加入。",
            ),
        ),
    },
    "open_biggest_obstacle": {
        "en": (
            (
                "Geopolitical rivalry: AI is a strategic asset first and a shared challenge second.",
                "The concentration of compute, data and talent in a handful of companies and countries.",
                "A lack of trust between the major powers, which spills over into every forum.",
                "Most countries simply lack the capacity to take part in technical negotiations.",
                "Export controls that turn access to advanced chips into a foreign-policy instrument.",
                "The gap between the speed of the technology and the speed of diplomacy.",
                "Governance debates are still framed by the concerns of a few wealthy countries.",
            ),
            (
                "As long as this persists, 'inclusive' will remain a slogan.",
                "Experts from {country} are invited to consultations but rarely to drafting sessions.",
                "Any solution has to start with predictable access to the basic inputs of AI.",
                "Trust-building measures such as joint safety evaluations would be a realistic first step.",
                "This affects the Global South most, but in the end it weakens everyone's security.",
                "Multi-stakeholder processes help, yet they favour those who can afford to attend.",
            ),
        ),
        "zh-hans": (
            (
                "最大的障碍是地缘政治竞争：人工智能首先被视为战略资产，其次才是共同挑战。",
                "算力、数据和人才高度集中在少数企业和国家手中。",
                "主要大国之间缺乏互信，这种不信任蔓延到几乎所有国际平台。",
                "许多国家缺乏参与技术性谈判的能力。",
                "出口管制使先进芯片的获取变成了外交政策工具。",
            ),
            (
                "如果这一问题得不到解决，“包容”只能停留在口号层面。",
                "建立互信可以从联合开展安全评测等务实合作做起。",
                "受影响最大的是全球南方国家，但最终会削弱所有国家的安全。",
                "来自{country}的专家常受邀参加咨询，却很少参与规则起草。",
            ),
        ),
    },
    "open_un_recommendation": {
        "en": (
            (
                "Fund an AI capacity-building facility with multi-year budgets, not one-off projects.",
                "Make the independent international scientific panel on AI truly global, with at least half "
                "of its members from the Global South.",
                "Create a clearing house that maps and aligns the outputs of existing initiatives.",
                "Set up a regular dialogue on AI security risks where the major powers have to listen to "
                "each other.",
                "Support shared compute and open datasets for developing countries as a global public good.",
                "Give industry and civil society a structured, formal channel into UN processes.",
            ),
            (
                "Measure success by outcomes in the least developed countries.",
                "Keep it small, technical and well staffed rather than large and political.",
                "Build on the Global Digital Compact rather than starting another process.",
                "And report every year in plain language, so that people in {country} can follow it.",
                "Everything else depends on trust, and trust depends on regular contact.",
                "Coordinate with the ITU and UNESCO instead of adding a new silo.",
            ),
        ),
        "zh-hans": (
            (
                "设立有多年期预算保障的人工智能能力建设基金，而不是零散的一次性项目。",
                "让独立国际人工智能科学小组真正具有全球代表性，提高全球南方专家的比例。",
                "建立信息交换机制，梳理并对接现有各类倡议的成果。",
                "就人工智能安全风险建立大国之间的定期对话机制。",
                "将共享算力和开放数据集作为全球公共产品，支持发展中国家。",
            ),
            (
                "以最不发达国家的实际成效来衡量成败。",
                "在《全球数字契约》的基础上推进，而不是另起炉灶。",
                "与国际电联、联合国教科文组织等机构加强协调，避免形成新的孤岛。",
                "每年以通俗易懂的方式公布进展，让{country}的公众也能了解。",
            ),
        ),
    },
    "open_china_role": {
        "en": (
            (
                "China has become an active agenda-setter, from the UN resolution on capacity building to "
                "the Global AI Governance Action Plan.",
                "China's emphasis on capacity building resonates strongly in the Global South.",
                "Chinese open-weight models have done more for access in {country} than most declarations.",
                "China's proposals are taken seriously, but many governments wonder how they would work "
                "in practice.",
                "China is both a leading AI power and a developing country, an unusual bridging position.",
                "The proposed World AI Cooperation Organization will be judged by how open it is to others.",
            ),
            (
                "Its influence depends on whether safety cooperation with the United States is possible.",
                "I expect more South–South projects led or funded by Chinese institutions.",
                "Transparency about its own safety practices would strengthen its credibility.",
                "Working through the UN gives its initiatives a legitimacy that bilateral deals lack.",
                "Competition in open-source models may turn out to be a public good.",
                "Observers often underestimate how much of this is driven by domestic industrial policy.",
            ),
        ),
        "zh-hans": (
            (
                "中国正在成为全球人工智能治理的重要议程设置者，从推动联合国能力建设决议到发布"
                "《人工智能全球治理行动计划》。",
                "中国重视能力建设，这一主张在全球南方国家中得到广泛认同。",
                "中国的开源模型在降低技术获取门槛方面发挥了实际作用。",
                "中国既是人工智能大国，又是发展中国家，具有独特的桥梁作用。",
                "倡议成立世界人工智能合作组织，体现了中国推动多边合作的意愿。",
            ),
            (
                "未来几年，中国可以在南南合作和南北合作中发挥更大作用。",
                "关键在于能否与各方，尤其是与美国，在安全领域开展务实合作。",
                "进一步提高自身安全实践的透明度，将增强国际社会的信任。",
                "依托联合国平台推进相关倡议，有助于提升其合法性和认可度。",
            ),
        ),
    },
}

CLOSING_REMARKS = {
    "en": (
        "These are my personal views, not my organisation's.",
        'In short: "inclusive" has to mean more than a seat at the table & a microphone.',
        "Thresholds like compute < 10^26 FLOP are a poor proxy for risk; rules should follow use, not size.",
        "I would be glad to discuss this further in an interview.",
        "We see this every day in our work.",
        "This is changing quickly, so ask me again next year.",
        "The details matter more than the headlines.",
    ),
    "zh-hans": (
        "以上仅代表个人观点。",
        "所谓“包容”，不能只是<形式上的>参与。",
        "用“算力 < 10^26 FLOP”这样的门槛衡量风险并不可靠，规则应当看用途而非规模。",
        "这一问题值得在访谈中进一步讨论。",
        "形势变化很快，明年再问我，答案可能会不同。",
    ),
}

# "Other, please specify" answers, per question.
OTHER_ANSWERS = {
    "focus_area": {
        "en": (
            "Digital trade policy",
            "Science and technology studies",
            "Media & journalism",
            "Arms control",
        ),
        "zh-hans": ("数字贸易政策", "科学技术与社会研究", "新闻传播", "军控与军事安全"),
    },
    "intl_processes": {
        "en": (
            "Council of Europe Framework Convention negotiations",
            "African Union Continental AI Strategy consultations",
            "UNESCO Recommendation on the Ethics of AI: national readiness assessment",
        ),
        "zh-hans": ("联合国教科文组织人工智能伦理准备度评估", "亚太经合组织数字经济相关讨论"),
    },
    "ms_missing_stakeholders": {
        "en": (
            "Indigenous peoples",
            "Children and young people",
            "Persons with disabilities",
            "Trade unions",
        ),
        "zh-hans": ("原住民群体", "儿童与青少年", "残障人士", "工会组织"),
    },
}

REGIONAL_ORGANISATIONS = {
    "Africa": ("African Union", "Smart Africa Alliance", "ECOWAS"),
    "Asia": ("ASEAN", "Shanghai Cooperation Organisation", "Gulf Cooperation Council"),
    "Americas": ("CELAC", "Organization of American States", "Mercosur"),
    "Europe": ("African Union, through EU–AU cooperation", "Council of Europe"),
    "Oceania": ("Pacific Islands Forum", "ASEAN, as a dialogue partner"),
}
REGIONAL_ORGANISATIONS_ZH = ("东盟", "上海合作组织", "非洲联盟")


def free_text(code: str, language: str, country_names: tuple[str, str], rng: random.Random) -> str:
    """An open answer to question ``code`` in ``language`` ("en" or "zh-hans")."""
    openings, details = OPEN_ANSWERS[code][language]
    sentences = [rng.choice(openings)]
    if rng.random() < 0.85:
        sentences.append(rng.choice(details))
    if rng.random() < 0.3:
        sentences.append(rng.choice(CLOSING_REMARKS[language]))
    country = country_names[1] if language == "zh-hans" else country_names[0]
    return ("" if language == "zh-hans" else " ").join(sentences).format(country=country)


def other_text(code: str, language: str, rng: random.Random) -> str:
    return rng.choice(OTHER_ANSWERS[code][language])


def short_text(code: str, profile: Profile, rng: random.Random) -> str:
    if code == "expertise_field":
        return profile.expertise
    if profile.preferred_language == "zh-hans":
        return rng.choice(REGIONAL_ORGANISATIONS_ZH)
    return rng.choice(REGIONAL_ORGANISATIONS[country_groups(profile.country).region])
