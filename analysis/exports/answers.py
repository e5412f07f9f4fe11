"""The answers the raw-data downloads need, free text included.

``analysis.load.answers_frame`` leaves free text and "other, please specify" text out (the analysis
never needs them) and builds its frame in memory, so the downloads read answers here, with the
same rules: submitted responses only, pseudonymous respondents (``load.respondent_pseudonym``),
group snapshots, nothing read from the expert.
"""

import pandas
from django.db.models import QuerySet

from surveys.models import Answer, Response, Survey

from ..load import GROUP_COLUMNS, QUESTION_ORDER, respondent_pseudonym

# Columns of ``submitted_answers(...).values_list(*ANSWER_FIELDS)``, in order.
ANSWER_FIELDS = [
    "response_id",
    "response__survey__wave_label",
    *(f"response__{column}" for column in GROUP_COLUMNS),
    "question__code",
    "question__type",
    "number",
    "text",
    "codes",
    "other_text",
]
TEXT_ANSWER_COLUMNS = ["respondent", "question", "type", "number", "text", "codes", "other_text"]


def submitted_answers(*, survey: Survey) -> QuerySet[Answer]:
    """The answers of ``survey``'s submitted responses, by response, then in questionnaire order."""
    return Answer.objects.filter(
        response__survey=survey, response__status=Response.Status.SUBMITTED
    ).order_by("response_id", *(f"question__{field}" for field in QUESTION_ORDER))


def answers_with_text_frame(*, survey: Survey) -> pandas.DataFrame:
    """Every answer of ``survey``'s submitted responses, in one query, with
    ``TEXT_ANSWER_COLUMNS``: the ``respondent`` pseudonym, the ``question`` code and ``type``,
    ``number`` (NaN when none), ``text`` (a choice or country code, or free text), ``codes`` (a list)
    and ``other_text``."""
    rows = (
        submitted_answers(survey=survey)
        .values_list(
            "response_id", "question__code", "question__type", "number", "text", "codes", "other_text"
        )
        .iterator(chunk_size=2000)
    )
    frame = pandas.DataFrame.from_records(list(rows), columns=["response_id", *TEXT_ANSWER_COLUMNS[1:]])
    frame = frame.astype({"number": float, "question": str, "type": str, "text": str, "other_text": str})
    pseudonyms = {
        response_id: respondent_pseudonym(response_id) for response_id in frame["response_id"].unique()
    }
    frame["respondent"] = frame["response_id"].map(pseudonyms).astype(str)
    return frame[TEXT_ANSWER_COLUMNS]
