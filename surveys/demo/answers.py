"""How a synthetic expert answers: a small model per question, with planted group differences.

An expert's traits are their Global North/South group, ``cn`` for Chinese experts, and their
sector. Numeric answers are ``round(gauss(mean + Σ shifts of the expert's traits, sd))``, clipped
to the scale; choices are drawn with weights multiplied by the traits' factors. The differences
planted for the analysis to find:

- Global South experts agree more that the AI divide is widening, that equitable access and a
  voice in rule-making are top priorities, and rank South–South cooperation and capacity building
  higher among the UN's functions;
- government, academia and international organisations rate the UN's central role higher than
  industry does; industry is more favourable to open-source cooperation;
- Chinese and Global South experts support a World AI Cooperation Organization more;
- security-risk perceptions diverge: the North fears loss of control, the South inequality.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from ..conditions import AnswerValue, condition_holds
from ..geography import country_groups
from ..models import Question
from .texts import free_text, other_text, short_text

if TYPE_CHECKING:
    from ..selectors import Questionnaire
    from .panel import Profile

# code: (mean, sd, {trait: shift}) on the question's own scale.
NUMERIC = {
    "frag_hinders_cooperation": (3.6, 0.9, {"international_organisation": 0.4, "industry": 0.2}),
    "frag_alignment_feasible": (3.7, 1.3, {"government": 0.4, "industry": -0.3, "north": -0.3, "cn": 0.7}),
    "risk_frontier_catastrophic": (
        3.0, 0.9, {"north": 0.7, "south": -0.4, "industry": -0.2, "research_institute": 0.3}
    ),
    "risk_perceptions_converging": (2.4, 0.8, {"cn": 0.4, "international_organisation": 0.3}),
    "risk_urgency": (6.5, 1.9, {"north": 0.9, "research_institute": 0.5, "industry": -0.8}),
    "divide_widening": (3.4, 0.8, {"south": 0.9, "north": -0.2, "cn": 0.2}),
    "south_priority_access": (3.5, 0.9, {"south": 0.9, "north": -0.3, "industry": -0.2}),
    "south_priority_voice": (3.6, 0.9, {"south": 0.9, "north": -0.2, "civil_society": 0.3}),
    "divide_dependency_concern": (3.3, 0.9, {"south": 0.7, "cn": 0.5, "industry": -0.3}),
    "un_central_role": (
        3.2,
        0.9,
        {
            "government": 0.6,
            "academia": 0.5,
            "international_organisation": 0.8,
            "industry": -0.8,
            "south": 0.4,
            "cn": 0.5,
        },
    ),
    "un_2024_steps_significance": (3.1, 0.9, {"south": 0.4, "cn": 0.7, "government": 0.3}),
    "os_reduces_divide": (3.3, 0.9, {"industry": 0.9, "south": 0.4, "cn": 0.4, "government": -0.2}),
    "os_frontier_weights_risk": (
        3.0, 0.9, {"north": 0.5, "south": -0.3, "industry": -0.6, "research_institute": 0.3}
    ),
    "wcao_support": (2.9, 0.9, {"cn": 1.4, "south": 0.8, "north": -0.5, "industry": -0.2}),
    "ms_industry_influence": (
        3.3, 0.9, {"civil_society": 1.0, "academia": 0.3, "industry": -1.0, "south": 0.3}
    ),
    "outlook_inclusive_5y": (
        5.0, 2.0, {"south": -0.4, "cn": 1.3, "international_organisation": 0.6, "civil_society": -0.8}
    ),
}  # fmt: skip

# code: {choice code: (weight, {trait: factor})}; for multiple choice the weight is a probability.
CHOICES = {
    "focus_area": {
        "law_regulation": (3, {"government": 1.5}),
        "technical_safety": (2, {"research_institute": 2, "industry": 2}),
        "ethics": (2, {"academia": 1.5, "civil_society": 1.8}),
        "international_relations": (2.5, {"government": 2, "international_organisation": 2.5}),
        "economics_development": (2, {"south": 1.8}),
        "standards": (1.5, {"industry": 1.8}),
        "other": (0.3, {}),
    },
    "frag_main_cause": {
        "geopolitical_competition": (4, {"cn": 1.6, "south": 1.2}),
        "different_values": (3, {"north": 1.5}),
        "development_gaps": (2, {"south": 2.0}),
        "competing_standards": (2, {"industry": 1.8}),
        "no_central_body": (2, {"international_organisation": 2.0, "government": 1.3}),
    },
    "risk_top_concern": {
        "loss_of_control": (3, {"north": 2.0, "south": 0.5, "research_institute": 1.5}),
        "malicious_misuse": (3, {"north": 1.4}),
        "military_use": (2, {"cn": 1.5}),
        "disinformation": (2.5, {"civil_society": 1.5}),
        "labour_disruption": (2, {"south": 1.6}),
        "inequality_between_countries": (2, {"south": 2.5, "north": 0.4}),
        "privacy_surveillance": (1.5, {"civil_society": 2.0}),
    },
    "divide_main_barrier": {
        "compute": (3, {"south": 1.3}),
        "data": (2, {}),
        "talent": (2.5, {"south": 1.2}),
        "funding": (2, {}),
        "infrastructure": (2, {"south": 1.6}),
        "restricted_access": (1.5, {"cn": 3.0, "south": 1.2}),
    },
    "south_best_channel": {
        "un_system": (3, {"government": 1.3, "cn": 1.5, "international_organisation": 2}),
        "regional_organisations": (2.5, {"south": 1.5}),
        "brics_g20": (2, {"south": 1.5, "cn": 1.5, "north": 0.4}),
        "bilateral_partnerships": (1.5, {"north": 1.5}),
        "open_source_communities": (1.5, {"industry": 2.2}),
        "multistakeholder_fora": (1.5, {"civil_society": 2.0}),
    },
    "wcao_preferred_form": {
        "within_un_system": (3, {"international_organisation": 1.5, "south": 1.2}),
        "new_organisation": (2, {"cn": 3.0, "south": 1.3}),
        "network_existing": (3, {"north": 1.5, "industry": 1.4}),
        "not_needed": (1, {"north": 2.0, "cn": 0.2}),
    },
    "ms_alignment_priority": {
        "safety_testing": (3, {"north": 1.5}),
        "risk_classification": (2, {}),
        "data_governance": (2.5, {"south": 1.3}),
        "content_labelling": (1.5, {"cn": 1.8}),
        "liability": (1.5, {"civil_society": 1.5}),
        "technology_access": (1, {"cn": 2.5, "south": 1.3}),
    },
    "un_priority_functions": {
        "align_initiatives": (3, {"international_organisation": 1.5, "north": 1.2}),
        "south_south": (1.5, {"south": 2.2, "north": 0.5}),
        "north_south": (2, {"south": 1.5}),
        "coordinate_stakeholders": (2, {"civil_society": 1.6, "industry": 1.4}),
        "capacity_building": (2.5, {"south": 1.8}),
        "scientific_assessment": (2, {"north": 1.6, "research_institute": 1.5}),
    },
    "intl_processes": {
        "un_processes": (0.4, {"government": 1.5, "international_organisation": 1.8, "south": 1.1}),
        "oecd_gpai": (0.3, {"north": 1.8, "south": 0.6}),
        "g7_hiroshima": (0.15, {"north": 2.0, "south": 0.3}),
        "ai_safety_summits": (0.25, {"north": 1.5, "research_institute": 1.3}),
        "brics": (0.1, {"south": 2.5, "north": 0.1}),
        "standards_bodies": (0.2, {"industry": 2.0}),
        "world_ai_conference": (0.15, {"cn": 4.0}),
        "other": (0.05, {}),
        "none": (0.08, {"government": 0.3, "international_organisation": 0.2}),
    },
    "ms_missing_stakeholders": {
        "developing_country_governments": (0.45, {"south": 1.5}),
        "civil_society": (0.4, {"civil_society": 1.8}),
        "academia": (0.25, {"academia": 1.3}),
        "smes_startups": (0.2, {"industry": 2.0}),
        "affected_communities": (0.35, {"civil_society": 1.4}),
        "technical_community": (0.2, {"industry": 1.4, "research_institute": 1.3}),
        "other": (0.04, {}),
        "none_dont_know": (0.05, {}),
    },
    "ms_most_influential_country": {
        "US": (4, {"north": 1.4}),
        "CN": (3, {"cn": 2.0, "south": 1.2}),
        "GB": (0.6, {"north": 1.3}),
        "FR": (0.4, {}),
        "DE": (0.4, {}),
        "SG": (0.4, {}),
        "IN": (0.3, {"south": 1.5}),
        "JP": (0.3, {}),
        "KR": (0.2, {}),
        "BR": (0.2, {"south": 1.5}),
        "AE": (0.2, {}),
    },
}

LONG_TEXT_RATE = {
    "frag_consequences": 0.7,
    "divide_inequality_measures": 0.75,
    "un_role_doubts": 0.8,
    "wcao_conditions": 0.65,
    "open_biggest_obstacle": 0.75,
    "open_un_recommendation": 0.7,
    "open_china_role": 0.6,
}
INTERVIEW_LONG_TEXT_RATE = 0.95  # interviewers write down what was said
SHORT_TEXT_RATE = 0.85
SKIP_RATE = 0.04  # optional closed questions left blank


def traits(profile: Profile) -> tuple[str, ...]:
    """The expert's groups that shift answers, in a fixed order so sums are reproducible."""
    groups = [country_groups(profile.country).north_south or "south"]
    if profile.country == "CN":
        groups.append("cn")
    groups.append(profile.sector)
    return tuple(groups)


def _weights(model: dict, expert_traits: tuple[str, ...]) -> tuple[list[str], list[float]]:
    codes, weights = [], []
    for code, (weight, factors) in model.items():
        for trait in expert_traits:
            weight *= factors.get(trait, 1.0)
        codes.append(code)
        weights.append(weight)
    return codes, weights


def _numeric(question: Question, expert_traits: tuple[str, ...], rng: random.Random) -> float:
    mean, sd, shifts = NUMERIC[question.code]
    low, high = (0, 10) if question.type == Question.Type.SCALE_0_10 else (1, question.scale_points)
    value = rng.gauss(mean + sum(shifts.get(trait, 0.0) for trait in expert_traits), sd)
    return float(min(high, max(low, round(value))))


def _ranking(question: Question, expert_traits: tuple[str, ...], rng: random.Random) -> list[str]:
    """Top-k order drawn item by item in proportion to the weights (Plackett–Luce)."""
    codes, weights = _weights(CHOICES[question.code], expert_traits)
    ranked = []
    for _ in range(question.rank_top_k or len(codes)):
        pick = rng.choices(range(len(codes)), weights=weights)[0]
        ranked.append(codes.pop(pick))
        weights.pop(pick)
    return ranked


def _multiple(question: Question, expert_traits: tuple[str, ...], rng: random.Random) -> list[str]:
    exclusive = {choice.code for choice in question.choices.all() if choice.is_exclusive}
    codes, chances = _weights(CHOICES[question.code], expert_traits)
    ticked = [code for code, chance in zip(codes, chances, strict=True) if rng.random() < min(chance, 0.9)]
    if exclusive & set(ticked):
        return [next(code for code in ticked if code in exclusive)]
    if not ticked:
        open_codes = [code for code in codes if code not in exclusive]
        ticked = rng.choices(open_codes, weights=[chances[codes.index(code)] for code in open_codes])
    return ticked


def _answer(question: Question, profile: Profile, interviewed: bool, rng: random.Random) -> AnswerValue:
    """One answer; an empty ``AnswerValue`` when the expert leaves the question blank."""
    expert_traits = traits(profile)
    language = profile.preferred_language
    kind = question.type
    if kind == Question.Type.LONG_TEXT:
        rate = INTERVIEW_LONG_TEXT_RATE if interviewed else LONG_TEXT_RATE[question.code]
        if rng.random() >= rate:
            return AnswerValue()
        return AnswerValue(text=free_text(question.code, language, profile.country_names, rng))
    if kind == Question.Type.SHORT_TEXT:
        if rng.random() >= SHORT_TEXT_RATE:
            return AnswerValue()
        return AnswerValue(text=short_text(question.code, profile, rng))
    if not question.required and rng.random() < SKIP_RATE:
        return AnswerValue()
    if kind == Question.Type.NUMBER:
        years = rng.gammavariate(2.2, 4.2) + (2 if profile.sector == "academia" else 0)
        return AnswerValue(number=float(min(question.max_value, max(question.min_value, round(years)))))
    if kind in (Question.Type.LIKERT, Question.Type.SCALE_0_10):
        return AnswerValue(number=_numeric(question, expert_traits, rng))
    if kind == Question.Type.RANKING:
        return AnswerValue(codes=_ranking(question, expert_traits, rng))
    if kind == Question.Type.MULTIPLE_CHOICE:
        codes = _multiple(question, expert_traits, rng)
        other = "other" in codes
        return AnswerValue(codes=codes, other_text=other_text(question.code, language, rng) if other else "")
    codes, weights = _weights(CHOICES[question.code], expert_traits)
    picked = rng.choices(codes, weights=weights)[0]
    if kind == Question.Type.COUNTRY:
        return AnswerValue(text=picked)
    other = picked == "other"
    return AnswerValue(text=picked, other_text=other_text(question.code, language, rng) if other else "")


def plan_answers(
    *, questionnaire: Questionnaire, profile: Profile, interviewed: bool, rng: random.Random
) -> dict[str, AnswerValue]:
    """The expert's answers to the whole questionnaire, keyed by question code.

    Questions go in questionnaire order and follow the show-if rules of ``conditions``: a question
    is answered only when shown, so no answer to a hidden question is ever planned.
    """
    answers: dict[str, AnswerValue] = {}
    shown: dict[int, AnswerValue | None] = {}
    for question in questionnaire.questions:
        target_id = question.show_if_question_id
        if target_id is not None:
            if target_id not in shown:
                continue
            target = question.show_if_question
            value = shown[target_id].value(target.type) if shown[target_id] else None
            if not condition_holds(question.show_if_operator, question.show_if_value, value):
                continue
        answer = _answer(question, profile, interviewed, rng)
        shown[question.pk] = None if answer.is_empty() else answer
        if not answer.is_empty():
            answers[question.code] = answer
    return answers
