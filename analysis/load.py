"""Submitted answers as tidy pandas frames, one query per table.

These frames are what researchers analyse, so they hold no personal data: no names, emails or
organisations (nothing is read from the expert at all), no free-text answers, and respondents
are known only by a pseudonym (``respondent_pseudonym``), never by a database id. The groups
(country, UN region and sub-region, Global North/South, sector) are the snapshot taken when the
response was submitted, so later panel edits never move answers between groups; "" means unknown.
"""

from collections.abc import Iterable

import pandas
from django.db.models import Case, F, QuerySet, TextField, Value, When
from django.utils.crypto import salted_hmac

from surveys.i18n import localized
from surveys.models import Answer, Choice, Question, Response, Survey

from .stats.grouping import GROUPINGS

PSEUDONYM_SALT = "roundtable.analysis.respondent"
PSEUDONYM_LENGTH = 16

GROUP_COLUMNS = list(GROUPINGS)
RESPONDENT_COLUMNS = ["respondent", "survey", "series", "wave", *GROUP_COLUMNS]
ANSWER_COLUMNS = [
    "respondent", "survey", "series", "wave", "question", "type", "scale_points", "rank_top_k",
    "number", "text", "codes", *GROUP_COLUMNS,
]  # fmt: skip
QUESTION_COLUMNS = [
    "position", "code", "type", "text", "scale_points", "rank_top_k", "min_value", "max_value",
    "required", "shown_if",
]  # fmt: skip
CHOICE_COLUMNS = ["question", "code", "label", "position", "is_other", "is_exclusive"]

# Answers whose text is a category (a choice code or a country code); other text is free text.
CATEGORY_TEXT_TYPES = (Question.Type.SINGLE_CHOICE, Question.Type.COUNTRY)
QUESTION_ORDER = ("section__position", "section_id", "position", "pk")

Surveys = Survey | Iterable[Survey] | QuerySet[Survey]


def respondent_pseudonym(response_id: int) -> str:
    """A stable pseudonym for a response: an HMAC-SHA256 of its id keyed with SECRET_KEY,
    truncated to 16 hex digits. The same response always gets the same pseudonym; without the key
    nobody can tell which response (or expert) it stands for."""
    return salted_hmac(PSEUDONYM_SALT, str(response_id), algorithm="sha256").hexdigest()[:PSEUDONYM_LENGTH]


def _survey_filter(surveys: Surveys) -> Iterable[Survey] | QuerySet[Survey]:
    return [surveys] if isinstance(surveys, Survey) else surveys


def _pseudonymised(frame: pandas.DataFrame) -> pandas.DataFrame:
    """``frame`` with its ``response_id`` column replaced by ``respondent`` pseudonyms, first."""
    pseudonyms = {
        response_id: respondent_pseudonym(response_id) for response_id in frame["response_id"].unique()
    }
    respondent = frame["response_id"].map(pseudonyms).astype(str)
    return frame.drop(columns="response_id").assign(respondent=respondent)


def answers_frame(*, surveys: Surveys) -> pandas.DataFrame:
    """Every answer of the submitted responses to ``surveys``, in one query: one row per answer
    with ``ANSWER_COLUMNS``.

    ``survey`` is the survey's slug, ``series`` its series' slug, ``wave`` its wave label;
    ``question`` the question's code and ``type``, ``scale_points`` (Likert) and ``rank_top_k``
    (ranking) describe it. The answer is in ``number`` (Likert, 0–10, number; else NaN),
    ``text`` (the choice code of a single choice or the country code of a country question; ""
    otherwise — free text is never loaded) or ``codes`` (a list: the codes ticked, or ranked in
    order; [] otherwise). Rows come in questionnaire order, then by response.
    """
    rows = (
        Answer.objects.filter(
            response__survey__in=_survey_filter(surveys), response__status=Response.Status.SUBMITTED
        )
        .annotate(
            category=Case(
                When(question__type__in=CATEGORY_TEXT_TYPES, then=F("text")),
                default=Value(""),
                output_field=TextField(),
            )
        )
        .order_by("response__survey_id", *(f"question__{field}" for field in QUESTION_ORDER), "response_id")
        .values_list(
            "response_id",
            "response__survey__slug",
            "response__survey__series__slug",
            "response__survey__wave_label",
            "question__code",
            "question__type",
            "question__scale_points",
            "question__rank_top_k",
            "number",
            "category",
            "codes",
            *(f"response__{column}" for column in GROUP_COLUMNS),
        )
        .iterator(chunk_size=2000)
    )
    columns = ["response_id", *(column for column in ANSWER_COLUMNS if column != "respondent")]
    frame = pandas.DataFrame.from_records(list(rows), columns=columns)
    frame = frame.astype(
        {
            "response_id": int,
            "number": float,
            "scale_points": "Int64",
            "rank_top_k": "Int64",
            **{
                column: str
                for column in ["survey", "series", "wave", "question", "type", "text", *GROUP_COLUMNS]
            },
        }
    )
    return _pseudonymised(frame)[ANSWER_COLUMNS]


def respondents_frame(*, surveys: Surveys) -> pandas.DataFrame:
    """One row per submitted response to ``surveys``, in one query, with ``RESPONDENT_COLUMNS``:
    the same pseudonyms as ``answers_frame`` and the groups each respondent belongs to. It
    includes respondents who answered nothing, so skipped questions can be counted."""
    rows = (
        Response.objects.filter(survey__in=_survey_filter(surveys), status=Response.Status.SUBMITTED)
        .order_by("survey_id", "pk")
        .values_list("pk", "survey__slug", "survey__series__slug", "survey__wave_label", *GROUP_COLUMNS)
    )
    columns = ["response_id", *RESPONDENT_COLUMNS[1:]]
    frame = pandas.DataFrame.from_records(list(rows), columns=columns)
    frame = frame.astype({"response_id": int, **{column: str for column in RESPONDENT_COLUMNS[1:]}})
    return _pseudonymised(frame)[RESPONDENT_COLUMNS]


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
