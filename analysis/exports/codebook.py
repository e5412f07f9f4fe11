"""The codebook: what every question, choice and scale point of a survey is, in every language.

``load.questions_frame`` and ``load.choices_frame`` give texts in the default language only, so
the texts in every language are read here (two queries) and set beside them.
"""

import json

import pandas

from surveys.i18n import localized
from surveys.models import Choice, Question, Survey

from ..load import QUESTION_ORDER
from .labels import agreement_labels
from .wide import LISTED_TYPES, WideTable

QUESTION_FACTS = ["scale_points", "min_value", "max_value", "rank_top_k", "required", "shown_if"]


def codebook_columns(languages: list[str]) -> list[str]:
    return [
        "question", "section", "type", "item", "value", "variable",
        *(f"text_{language}" for language in languages), "other", "exclusive", *QUESTION_FACTS,
    ]  # fmt: skip


def _texts(texts: dict | None, languages: list[str]) -> dict[str, str]:
    """The stored text in each language, "" where none was written (no fallback: gaps show)."""
    texts = texts or {}
    return {f"text_{language}": texts.get(language, "") for language in languages}


def codebook_frame(*, survey: Survey, table: WideTable) -> pandas.DataFrame:
    """The codebook of ``survey`` with ``codebook_columns(survey.offered_languages())``, in
    questionnaire order: one row per question (``item`` empty, ``variable`` its columns in the
    wide table, space-separated), then one row per choice (``item`` its code) or Likert point
    (``item`` the point). ``value`` is the number SPSS and Stata files use for the item (the
    choice's position for single choice, the point for Likert); for multiple choice and ranking,
    ``variable`` is the item's own column. ``shown_if`` reads "question operator value"."""
    languages = survey.offered_languages()
    default = survey.default_language
    stored = {
        code: rest
        for code, *rest in Question.objects.filter(survey=survey)
        .order_by(*QUESTION_ORDER)
        .values_list(
            "code", "text", "section__position", "section__title", "scale_labels", "show_if_operator",
            "show_if_value",
        )
    }  # fmt: skip
    labels = {
        (question, code): label
        for question, code, label in Choice.objects.filter(question__survey=survey).values_list(
            "question__code", "code", "label"
        )
    }
    variables: dict[str, list[str]] = {}
    for column in table.columns:
        variables.setdefault(column.question, []).append(column.name)
    option_column = {
        (column.question, column.choice): column.name for column in table.columns if column.choice
    }
    rows = []
    for question in table.questions.to_dict("records"):
        code, kind = question["code"], question["type"]
        texts, section, section_title, scale_labels, operator, expected = stored[code]
        facts = {fact: question[fact] for fact in QUESTION_FACTS}
        if question["shown_if"]:
            facts["shown_if"] = (
                f"{question['shown_if']} {operator} {json.dumps(expected, ensure_ascii=False)}"
            )
        head = {
            "question": code,
            "section": f"{section}. {localized(section_title, default, default)}",
            "type": kind,
        }
        rows.append(
            {**head, "variable": " ".join(variables.get(code, [])), **_texts(texts, languages), **facts}
        )
        choices = table.choices[table.choices["question"].eq(code)].sort_values("position")
        for choice in choices.to_dict("records"):
            rows.append(
                {
                    **head,
                    "item": choice["code"],
                    "value": choice["position"] if kind == Question.Type.SINGLE_CHOICE else None,
                    "variable": option_column.get((code, choice["code"]), "") if kind in LISTED_TYPES else "",
                    **_texts(labels.get((code, choice["code"]), {default: choice["label"]}), languages),
                    "other": choice["is_other"],
                    "exclusive": choice["is_exclusive"],
                }
            )
        if kind == Question.Type.LIKERT:
            points = question["scale_points"]
            standard = {language: agreement_labels(points, language) for language in languages}
            for point in range(1, int(points) + 1):
                own = scale_labels[point - 1] if scale_labels else {}
                point_texts = own or {language: standard[language][point - 1] for language in languages}
                rows.append({**head, "item": str(point), "value": point, **_texts(point_texts, languages)})
    frame = pandas.DataFrame.from_records(rows, columns=codebook_columns(languages))
    return frame.astype({"value": "Int64", "scale_points": "Int64", "rank_top_k": "Int64"})
