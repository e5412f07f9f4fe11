"""Demo coding for ``manage.py seed_demo``: a bilingual codebook on the study's themes, about forty
open answers coded by two researchers who mostly agree, and a few candidate quotes.

The themes an answer "really" carries come from its question and from keywords (English and
Chinese) in its text. The first coder codes those themes on the whole answer; the second usually
codes the same, but now and then misses one, adds another, or codes only the first sentence, so
the agreement statistics have something to find. Everything goes through the services.
"""

import random
import re

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from surveys.models import Answer, Response, Survey

from .coding import codable_answers, codebook_for_survey, segment_code, theme_create
from .models import Theme
from .quotes import quote_mark

# (name, description, parent name or "") in codebook order.
DEMO_THEMES = (
    ("AI divide / 智能鸿沟", "Unequal access to AI and its benefits. 人工智能获取与收益的不平等。", ""),
    (
        "Access to compute / 算力获取",
        "Chips, compute, data centres. 芯片、算力与数据中心。",
        "AI divide / 智能鸿沟",
    ),
    (
        "Capacity building / 能力建设",
        "Skills, institutions, funding. 人才、机构与资金。",
        "AI divide / 智能鸿沟",
    ),
    ("Fragmentation / 治理碎片化", "Competing rulebooks and forums. 规则与平台的碎片化。", ""),
    ("Role of the UN / 联合国的作用", "What the UN can and cannot do. 联合国能做与不能做的事。", ""),
    ("Open source / 开源", "Open models, weights and datasets. 开源模型、权重与数据集。", ""),
    ("Security risks / 安全风险", "Safety, misuse and loss of control. 安全、滥用与失控。", ""),
    ("Global South voice / 全球南方话语权", "Who sets the rules. 谁来制定规则。", ""),
)

# Themes every answer to a question carries.
QUESTION_THEMES = {
    "frag_consequences": ("Fragmentation / 治理碎片化",),
    "divide_inequality_measures": ("AI divide / 智能鸿沟",),
    "un_role_doubts": ("Role of the UN / 联合国的作用",),
    "wcao_conditions": ("Role of the UN / 联合国的作用",),
}
# Themes an answer carries when its text holds one of the words.
KEYWORD_THEMES = {
    "Access to compute / 算力获取": ("compute", "chips", "算力", "芯片"),
    "Capacity building / 能力建设": ("capacity", "skills", "training", "能力建设", "人才", "培训"),
    "Fragmentation / 治理碎片化": ("fragment", "forum shopping", "碎片化", "监管套利"),
    "Role of the UN / 联合国的作用": (" UN ", "UN's", "United Nations", "联合国"),
    "Open source / 开源": ("open model", "open-weight", "open-source", "open datasets", "开源"),
    "Security risks / 安全风险": ("safety", "security", "risk", "安全", "风险"),
    "Global South voice / 全球南方话语权": (
        "Global South",
        "developing countries",
        "rule-takers",
        "南方",
        "发展中国家",
    ),
}
CODED_ANSWERS = 40
QUOTES = 5
# The researchers' translations of the Chinese openings of four questions, for quotes.
TRANSLATIONS = {
    # divide_inequality_measures
    "最切实的措施是共享算力，例如建设区域性的算力中心。": (
        "The most practical measure is shared compute, for example regional compute centres."
    ),
    "能力建设不能停留在培训班层面，而要长期支持本地机构。": (
        "Capacity building cannot stop at training courses; local institutions need long-term support."
    ),
    "开源模型只有在数据、人才和电力都具备的情况下才能真正发挥作用。": (
        "Open models only really work where the data, the talent and the electricity are there too."
    ),
    "应当把技术转移与培养本地工程师结合起来。": (
        "Technology transfer should go together with training local engineers."
    ),
    "低资源语言的数据集是国际公共产品，应由国际资金支持。": (
        "Datasets in low-resource languages are an international public good and should be funded "
        "internationally."
    ),
    # un_role_doubts
    "联合国以协商一致为原则，决策速度难以跟上技术发展。": (
        "The UN works by consensus, and its decisions can hardly keep pace with the technology."
    ),
    "大国不太可能把战略性技术的实际治理权交给一个可能被多数票否决的机构。": (
        "Major powers are unlikely to hand real governance of a strategic technology to a body where "
        "they can be outvoted."
    ),
    "联合国具有合法性，但内部缺乏足够的技术专业能力。": (
        "The UN has legitimacy but lacks sufficient technical expertise of its own."
    ),
    "联合国各机构职能交叉，彼此之间竞争多于协调。": (
        "The UN's agencies overlap and compete more than they coordinate."
    ),
    # open_biggest_obstacle
    "最大的障碍是地缘政治竞争：人工智能首先被视为战略资产，其次才是共同挑战。": (
        "The biggest obstacle is geopolitical rivalry: AI is seen first as a strategic asset and only "
        "then as a shared challenge."
    ),
    "算力、数据和人才高度集中在少数企业和国家手中。": (
        "Compute, data and talent are concentrated in a handful of companies and countries."
    ),
    "主要大国之间缺乏互信，这种不信任蔓延到几乎所有国际平台。": (
        "The major powers lack mutual trust, and this distrust spills over into almost every "
        "international forum."
    ),
    "许多国家缺乏参与技术性谈判的能力。": (
        "Many countries lack the capacity to take part in technical negotiations."
    ),
    "出口管制使先进芯片的获取变成了外交政策工具。": (
        "Export controls have turned access to advanced chips into a foreign-policy instrument."
    ),
    # open_china_role
    "中国正在成为全球人工智能治理的重要议程设置者，从推动联合国能力建设决议到发布"
    "《人工智能全球治理行动计划》。": (
        "China is becoming an important agenda-setter in global AI governance, from the UN resolution "
        "on capacity building to the Global AI Governance Action Plan."
    ),
    "中国重视能力建设，这一主张在全球南方国家中得到广泛认同。": (
        "China's emphasis on capacity building is widely shared in the Global South."
    ),
    "中国的开源模型在降低技术获取门槛方面发挥了实际作用。": (
        "China's open-source models have done real work in lowering the barriers to access."
    ),
    "中国既是人工智能大国，又是发展中国家，具有独特的桥梁作用。": (
        "China is both a major AI power and a developing country, which gives it a unique bridging role."
    ),
    "倡议成立世界人工智能合作组织，体现了中国推动多边合作的意愿。": (
        "Proposing a World AI Cooperation Organization shows China's will to advance multilateral "
        "cooperation."
    ),
}
FIRST_SENTENCE = re.compile(r"^.+?(?:[.!?](?=\s)|[。！？]|$)", re.DOTALL)


def _true_themes(code: str, text: str, themes: dict[str, Theme]) -> list[Theme]:
    names = set(QUESTION_THEMES.get(code, ()))
    padded = f" {text} "
    names |= {name for name, words in KEYWORD_THEMES.items() if any(word in padded for word in words)}
    return [theme for name, theme in themes.items() if name in names]


def _second_opinion(true: list[Theme], themes: dict[str, Theme], rng: random.Random) -> list[Theme]:
    """The second coder's themes: the same in most answers, one missed or one added in others."""
    chosen = list(true)
    draw = rng.random()
    if draw < 0.15 and len(chosen) > 1:
        chosen.remove(rng.choice(chosen))
    elif draw < 0.3:
        extra = rng.choice([theme for theme in themes.values() if theme not in chosen] or chosen)
        chosen.append(extra)
    return list(dict.fromkeys(chosen))


def seed_demo_coding(*, survey: Survey, coders: list[AbstractBaseUser], rng: random.Random) -> None:
    """Code about forty open answers of ``survey`` by each of ``coders`` (the first codes the
    "true" themes, the others mostly agree) and propose a few quotes of named and anonymous
    experts, with translations of Chinese ones. Does nothing when the survey's codebook already
    has themes, so seeding twice codes nothing twice."""
    codebook = codebook_for_survey(survey=survey)
    if codebook.themes.exists():
        return
    with transaction.atomic():
        themes: dict[str, Theme] = {}
        for name, description, parent in DEMO_THEMES:
            themes[name] = theme_create(
                codebook=codebook, name=name, description=description, parent=themes.get(parent)
            )
        answers = list(
            codable_answers(survey=survey).select_related("question", "response__survey").order_by("pk")
        )
        coded = rng.sample(answers, min(CODED_ANSWERS, len(answers)))
        translatable = [answer for answer in answers if _quotable(answer) and _translation(answer)]
        if translatable and not any(_translation(answer) for answer in coded):
            coded[-1] = translatable[0]  # so that a Chinese quote shows its translation
        for answer in coded:
            true = _true_themes(answer.question.code, answer.text, themes)
            whole = len(answer.text)
            segment_code(answer=answer, coder=coders[0], start=0, end=whole, themes=true)
            for coder in coders[1:]:
                first = FIRST_SENTENCE.match(answer.text)
                end = first.end() if first and rng.random() < 0.2 else whole
                memo = "Check against the other coder." if rng.random() < 0.1 else ""
                themes_seen = _second_opinion(true, themes, rng)
                segment_code(answer=answer, coder=coder, start=0, end=end, themes=themes_seen, memo=memo)
        _propose_quotes(coded, coders[0], rng)


def _propose_quotes(answers: list[Answer], user: AbstractBaseUser, rng: random.Random) -> None:
    """Quote the first sentence of a few answers by experts who agreed to be quoted: at least one
    Chinese answer with its translation when the coded answers hold one."""
    quotable = [answer for answer in answers if _quotable(answer)]
    translated = [answer for answer in quotable if _translation(answer)][:1]
    rest = [answer for answer in quotable if answer not in translated]
    chosen = translated + rng.sample(rest, min(QUOTES - len(translated), len(rest)))
    for answer in chosen:
        sentence = _first_sentence(answer.text)
        translation = _translation(answer)
        quote_mark(
            answer=answer,
            start=0,
            end=len(sentence),
            user=user,
            translation=translation,
            translation_language="en" if translation else "",
        )


def _quotable(answer: Answer) -> bool:
    return answer.response.attribution in (Response.Attribution.NAMED, Response.Attribution.ANONYMOUS)


def _translation(answer: Answer) -> str:
    return TRANSLATIONS.get(_first_sentence(answer.text), "")


def _first_sentence(text: str) -> str:
    match = FIRST_SENTENCE.match(text)
    return match.group(0) if match else text
