"""Survey-level texts of the demo (series, survey, consent) and the helpers the sections use."""


def bilingual(en: str, zh: str) -> dict[str, str]:
    return {"en": en, "zh-hans": zh}


def choice(code: str, en: str, zh: str, *, is_other: bool = False, is_exclusive: bool = False) -> dict:
    return {"code": code, "label": bilingual(en, zh), "is_other": is_other, "is_exclusive": is_exclusive}


def show_if(question: str, operator: str, value) -> dict:
    """Show the question only when the earlier question ``question`` satisfies the condition."""
    return {"question": question, "operator": operator, "value": value}


def other_choice() -> dict:
    """The "Other, please specify" choice; a fresh dict each time, as a document repeats no part."""
    return choice("other", "Other, please specify", "其他（请注明）", is_other=True)


SERIES = {"slug": "global-ai-governance", "title": "Global AI Governance Expert Survey"}

SURVEY = {
    "slug": "global-ai-governance-2026",
    "wave_label": "2026",
    "languages": ["en", "zh-hans"],
    "default_language": "en",
    "allow_edit_after_submit": True,
    "title": bilingual("Global AI Governance Expert Survey", "全球人工智能治理专家调查"),
    "description": bilingual(
        "This survey asks experts from industry, universities, research institutes, governments, "
        "international organisations and civil society how they see new trends in global AI "
        "governance: fragmentation, the AI divide, security risks, the role of the United Nations "
        "and the priorities of the Global South. It takes about 20 minutes.",
        "本调查面向来自产业界、高校、科研机构、政府、国际组织和民间社会的专家，"
        "了解您对全球人工智能治理新趋势的看法，包括治理碎片化、人工智能鸿沟、安全风险、"
        "联合国的作用以及全球南方的优先事项。完成问卷约需20分钟。",
    ),
    "consent_text": bilingual(
        "Purpose. This survey is run by a university research centre on global AI governance. "
        "Your answers inform its report on new trends in global AI governance, which draws on "
        "experts from industry, universities and research institutions in more than ten countries.\n\n"
        "Voluntary participation. Taking part is entirely voluntary. You may skip any question "
        "that is not marked as required, stop at any time and return later through your personal "
        "link, and withdraw at any time, without giving a reason, by writing to the research team; "
        "your answers will then be deleted.\n\n"
        "How we may use your words. Before you start, you choose one of three options, and you can "
        "change your choice until the survey closes:\n"
        "• Named: we may quote you with your name and organisation.\n"
        "• Anonymous: we may quote you only as an expert from your sector and country.\n"
        "• Not for quotation: we use your answers in the analysis but never quote you.\n\n"
        "Data storage. Your answers are stored on the research centre's servers, separately from "
        "your contact details, which only the fieldwork team can see. Researchers analyse the "
        "answers without names unless you chose to be named, and results are published only for "
        "groups large enough that no individual can be recognised. Contact details are deleted "
        "when the project ends.",
        "研究目的：本调查由一所大学的全球人工智能治理研究中心开展。您的回答将用于该中心关于"
        "全球人工智能治理新趋势的研究报告，报告基于来自十余个国家的产业界、高校和科研机构专家的意见。\n\n"
        "自愿参与：参与本调查完全出于自愿。未标为必答的问题均可跳过；您可以随时中断，"
        "之后通过个人专属链接继续作答；您也可以随时致函研究团队退出调查，无需说明理由，"
        "届时您的回答将被删除。\n\n"
        "引用方式：开始作答前，请在以下三种方式中选择一种；调查结束前，您可随时更改：\n"
        "• 署名：我们可以引用您的观点，并注明您的姓名和所在机构。\n"
        "• 匿名：我们仅以“来自您所在领域和国家的专家”的身份引用您的观点。\n"
        "• 不可引用：您的回答仅用于分析，我们不会引用您的任何原话。\n\n"
        "数据存储：您的回答存储在研究中心的服务器上，与您的联系方式分开保存，"
        "联系方式仅调查执行团队可见。除非您选择署名，研究人员在分析时不会看到您的姓名；"
        "研究结果仅以足够大的群体为单位发布，不会识别出任何个人。项目结束后，您的联系方式将被删除。",
    ),
}

SIGNIFICANCE_LABELS = [
    bilingual("Not significant", "没有意义"),
    bilingual("Slightly significant", "意义不大"),
    bilingual("Moderately significant", "有一定意义"),
    bilingual("Very significant", "意义重大"),
    bilingual("Extremely significant", "意义极其重大"),
]
