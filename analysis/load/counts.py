"""The submitted answers as counted in the survey's answer tally, and the respondents counted by
group: what a summary reads, a few hundred thousand rows for millions of answers."""

import json
from typing import NamedTuple

import numpy
import pandas

from surveys.models import Question
from surveys.tally import profiles_frame, sorted_categorical, stored_counts, tallied

from ..stats.grouping import codes_key
from .answers import RESPONSE_ATTRIBUTES
from .common import (
    ANSWER_COLUMNS,
    GROUP_COLUMNS,
    QUESTION_ORDER,
    RESPONDENT_COLUMNS,
    Surveys,
    decoded,
    survey_filter,
)

# What a tally's profiles give of their survey, by the column of ``RESPONDENT_COLUMNS``.
SURVEY_FIELDS = {
    column: field for column, field in RESPONSE_ATTRIBUTES.items() if column not in GROUP_COLUMNS
}


COUNTED_QUESTION_FIELDS = {
    "id": "pk",
    "survey": "survey__slug",
    "series": "survey__series__slug",
    "wave": "survey__wave_label",
    "question": "code",
    "type": "type",
    "scale_points": "scale_points",
    "rank_top_k": "rank_top_k",
}


class Counted(NamedTuple):
    """What ``counted_frames`` reads: ``answer_counts_frame`` and ``respondent_counts_frame``."""

    answers: pandas.DataFrame
    respondents: pandas.DataFrame


def counted_frames(*, surveys: Surveys) -> Counted:
    """The submitted answers and respondents of ``surveys`` as counted in their tallies
    (``surveys.tally``), in five queries when the tallies are current, else a rebuild first.

    ``answers``: one row per distinct answer and group of respondents, with ``ANSWER_COLUMNS``
    and ``weight``, the number of answers the row stands for. Every statistic of
    ``analysis.stats`` takes this frame as well as ``answers_frame`` (each of whose rows weighs
    1) and gives the same results, because none needs more of a respondent than their answer to
    one question and their groups. ``respondent`` numbers the rows, so that no two rows are taken
    for one respondent's. A survey of 100 000 respondents × 50 questions comes as a few hundred
    thousand rows rather than five million. Rows come in questionnaire order. Its text columns
    (``TEXT_COLUMNS``) are categoricals; ``codes_key`` numbers the ``codes`` lists
    (``stats.grouping.codes_key``), found from the text each list was read from.

    ``respondents``: one row per survey and groups with ``RESPONDENT_COLUMNS`` and ``weight``,
    how many respondents it stands for (``respondent`` numbers the rows): everything
    ``respondents_frame`` tells a summary, without a pseudonym per respondent.

    The tallies hold a few hundred rows, each a value's counts by profile, and a row per profile
    of respondents; what describes a question, a profile and each distinct list of codes is
    looked up once, not per row.
    """
    surveys = list(survey_filter(surveys))
    questions = pandas.DataFrame.from_records(
        list(
            Question.objects.filter(survey__in=surveys)
            .order_by("survey_id", *QUESTION_ORDER)
            .values_list(*COUNTED_QUESTION_FIELDS.values())
        ),
        columns=list(COUNTED_QUESTION_FIELDS),
    )
    survey_ids = [survey.pk for survey in surveys]
    # In questionnaire order, as the questions are: sorting the tallies' few hundred rows sorts
    # the counts unpacked from them.
    tallies = tallied(survey_ids).order_by(
        "survey_id", *(f"question__{field}" for field in QUESTION_ORDER), "pk"
    )
    profiles = profiles_frame(survey_ids, *SURVEY_FIELDS.values())
    rows = stored_counts(tallies, profiles)
    question_at = pandas.Index(questions["id"]).get_indexer(rows["question_id"])
    profile_at = rows["profile"].to_numpy()
    answers = pandas.DataFrame(
        {
            "respondent": numpy.arange(len(rows), dtype="int64"),
            **{
                column: sorted_categorical(questions[column].to_numpy(dtype=object), question_at)
                for column in ["survey", "series", "wave", "question", "type"]
            },
            **{
                column: pandas.array(questions[column].to_numpy(dtype=object), dtype="Int64").take(
                    question_at
                )
                for column in ["scale_points", "rank_top_k"]
            },
            "number": rows["number"].to_numpy(dtype="float64"),
            "text": rows["category"].array,
            "codes": decoded(rows["codes"], json.loads),
            **{
                column: sorted_categorical(profiles[column].to_numpy(dtype=object), profile_at)
                for column in GROUP_COLUMNS
            },
            "weight": rows["weight"].to_numpy(dtype="int64"),
        }
    )
    answers["codes_key"] = codes_key(answers, shared=rows["codes"].cat.codes.to_numpy())
    return Counted(answers[[*ANSWER_COLUMNS, "weight", "codes_key"]], _respondents(profiles))


def _respondents(profiles: pandas.DataFrame) -> pandas.DataFrame:
    """The respondents of the tallies' ``profiles`` (``profiles_frame``) by survey and
    ``GROUP_COLUMNS``, the profiles with none left out."""
    held = profiles.loc[profiles["respondents"].to_numpy() > 0].rename(
        columns={field: column for column, field in SURVEY_FIELDS.items()}
    )
    frame = held.groupby(["survey_id", *GROUP_COLUMNS], sort=True, as_index=False).agg(
        **{column: (column, "first") for column in SURVEY_FIELDS}, weight=("respondents", "sum")
    )
    frame = frame.astype({**dict.fromkeys(RESPONSE_ATTRIBUTES, str), "weight": "int64"})
    frame.insert(0, "respondent", numpy.arange(len(frame), dtype="int64"))
    return frame[[*RESPONDENT_COLUMNS, "weight"]]


def answer_counts_frame(*, surveys: Surveys) -> pandas.DataFrame:
    """The answers of ``counted_frames``."""
    return counted_frames(surveys=surveys).answers


def respondent_counts_frame(*, surveys: Surveys) -> pandas.DataFrame:
    """The respondents of ``counted_frames``."""
    return counted_frames(surveys=surveys).respondents
