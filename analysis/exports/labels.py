"""Labels for the codes in the exports, in the survey's default language, and the integer coding
of every categorical column for SPSS and Stata.

Codes are what the data holds (a choice code, a country code, a sector code), so rewording a label
never shifts data; labels are looked up here, once per export, in the survey's default language.
"""

from collections.abc import Iterable
from dataclasses import dataclass

import pandas
from django.utils import translation
from django_countries import countries

from surveys.forms import AGREEMENT_LABELS
from surveys.geography import NORTH_SOUTH_CHOICES, country_group_table
from surveys.i18n import localized
from surveys.models import Question, Response, Sector, Survey


@dataclass(frozen=True)
class Coding:
    """Integers for the codes of one categorical column: ``numbers`` code → 1, 2, …; ``labels``
    integer → label. "" (unknown) has no number: it is missing."""

    numbers: dict[str, int]
    labels: dict[int, str]


def coding(pairs: Iterable[tuple[str, str]], observed: Iterable[str] = ()) -> Coding:
    """Number ``pairs`` of (code, label) 1, 2, … in order; codes in ``observed`` that are not among
    them (a choice deleted after it was answered) follow, labelled with their code, so no value is
    ever lost. Repeated labels get their code in brackets so each number reads differently."""
    pairs = list(pairs)
    known = {code for code, _label in pairs}
    pairs += [(code, code) for code in sorted({str(code) for code in observed} - known) if code]
    repeated = pandas.Series([label for _code, label in pairs]).duplicated(keep=False).tolist()
    numbers = {code: number for number, (code, _label) in enumerate(pairs, start=1)}
    labels = {
        number: f"{label} ({code})" if twice else label
        for number, ((code, label), twice) in enumerate(zip(pairs, repeated, strict=True), start=1)
    }
    return Coding(numbers=numbers, labels=labels)


def country_names(language: str) -> dict[str, str]:
    """Country code → name in ``language``."""
    with translation.override(language):
        return {code: str(name) for code, name in countries}


def group_codings(*, language: str, observed: dict[str, Iterable[str]]) -> dict[str, Coding]:
    """The coding of each group column (``analysis.load.GROUP_COLUMNS``). The lists are fixed — all
    countries, UN regions and sub-regions of ``surveys/data/country_regions.csv`` in alphabetical
    order of their codes, the sectors, North/South and modes in the order the models declare them —
    so the same group has the same number in every survey and wave. ``observed`` values of a
    column outside its list are appended."""
    table = country_group_table()
    names = country_names(language)
    with translation.override(language):
        fixed = {
            "country": [(code, names.get(code, code)) for code in sorted(table["iso2"])],
            "un_region": [(region, region) for region in sorted(set(table["region"]) - {""})],
            "un_subregion": [(region, region) for region in sorted(set(table["subregion"]) - {""})],
            "north_south": [(code, str(label)) for code, label in NORTH_SOUTH_CHOICES],
            "sector": [(code, str(label)) for code, label in Sector.choices],
            "mode": [(code, str(label)) for code, label in Response.Mode.choices],
        }
    return {column: coding(pairs, observed.get(column, ())) for column, pairs in fixed.items()}


def agreement_labels(points: int | None, language: str) -> list[str]:
    """The standard agreement scale the questionnaire shows a Likert question without labels."""
    with translation.override(language):
        return [str(label) for label in AGREEMENT_LABELS.get(points, [])]


def likert_labels(*, survey: Survey) -> dict[str, dict[int, str]]:
    """Likert question code → {point: label} in the survey's default language, in one query: the
    question's own labels, or the standard agreement scale."""
    language = survey.default_language
    rows = Question.objects.filter(survey=survey, type=Question.Type.LIKERT).values_list(
        "code", "scale_points", "scale_labels"
    )
    return {
        code: dict(
            enumerate(
                [localized(label, language, language) for label in own]
                if own
                else agreement_labels(points, language),
                start=1,
            )
        )
        for code, points, own in rows
    }


def choice_labels(choices: pandas.DataFrame) -> dict[str, dict[str, str]]:
    """Question code → {choice code: label}, from a ``load.choices_frame``."""
    return {
        question: dict(zip(group["code"], group["label"], strict=True))
        for question, group in choices.groupby("question", sort=False)
    }
