"""The questionnaire as frames: its questions, and the choices of each."""

import pandas

from surveys.i18n import localized
from surveys.models import Choice, Question, Survey

from .common import CHOICE_COLUMNS, QUESTION_COLUMNS, QUESTION_ORDER


def questions_frame(*, survey: Survey) -> pandas.DataFrame:
    """The questions of ``survey`` in questionnaire order, in one query, with ``QUESTION_COLUMNS``:
    ``position`` (1, 2, … across sections), ``code``, ``type``, ``text`` in the survey's default
    language, ``scale_points``, ``rank_top_k``, ``min_value``, ``max_value``, ``required`` and
    ``shown_if`` (the code of the question a show-if condition depends on, or "")."""
    rows = (
        Question.objects.filter(survey=survey)
        .order_by(*QUESTION_ORDER)
        .values_list(
            "code",
            "type",
            "text",
            "scale_points",
            "rank_top_k",
            "min_value",
            "max_value",
            "required",
            "show_if_question__code",
        )
    )
    frame = pandas.DataFrame.from_records(list(rows), columns=[*QUESTION_COLUMNS[1:-1], "shown_if"])
    language = survey.default_language
    frame["text"] = frame["text"].map(lambda texts: localized(texts, language, language)).astype(str)
    frame["shown_if"] = frame["shown_if"].fillna("").astype(str)
    frame.insert(0, "position", range(1, len(frame) + 1))
    return frame.astype(
        {"code": str, "type": str, "scale_points": "Int64", "rank_top_k": "Int64", "required": bool}
    )[QUESTION_COLUMNS]


def choices_frame(*, survey: Survey) -> pandas.DataFrame:
    """The choices of ``survey``'s questions, in one query, with ``CHOICE_COLUMNS``: the
    ``question`` code, the choice ``code``, its ``label`` in the survey's default language and its
    ``position`` (1, 2, … within the question), in questionnaire order."""
    rows = (
        Choice.objects.filter(question__survey=survey)
        .order_by(*(f"question__{field}" for field in QUESTION_ORDER), "position", "pk")
        .values_list("question__code", "code", "label", "is_other", "is_exclusive")
    )
    frame = pandas.DataFrame.from_records(
        list(rows), columns=["question", "code", "label", "is_other", "is_exclusive"]
    )
    language = survey.default_language
    frame["label"] = frame["label"].map(lambda texts: localized(texts, language, language)).astype(str)
    frame["position"] = frame.groupby("question", sort=False).cumcount() + 1
    return frame.astype({"question": str, "code": str, "is_other": bool, "is_exclusive": bool})[
        CHOICE_COLUMNS
    ]
