"""Answers frames built directly in pandas, shaped like ``analysis.load.answers_frame``."""

import numpy
import pandas

from analysis.load import ANSWER_COLUMNS, RESPONDENT_COLUMNS

DEFAULTS = {
    "survey": "survey-2026",
    "series": "series",
    "wave": "2026",
    "type": "likert",
    "scale_points": pandas.NA,
    "rank_top_k": pandas.NA,
    "number": numpy.nan,
    "text": "",
    "country": "",
    "un_region": "",
    "un_subregion": "",
    "north_south": "",
    "sector": "",
    "mode": "self",
}


def answers(question: str, values, *, type: str = "likert", respondents=None, **columns) -> pandas.DataFrame:
    """One answer to ``question`` per value; ``respondents`` default to r0, r1, …; any other column
    is given as a scalar or as a list with one entry per answer. Likert questions get 5 points
    unless ``scale_points`` says otherwise."""
    values = list(values)
    rows = pandas.DataFrame(
        {
            "respondent": list(respondents)
            if respondents is not None
            else [f"r{i}" for i in range(len(values))],
            "question": question,
        }
    )
    for column, default in DEFAULTS.items():
        rows[column] = columns.get(column, default)
    rows["type"] = type
    if type == "likert" and "scale_points" not in columns:
        rows["scale_points"] = 5
    rows["codes"] = [[] for _ in values]
    if type in ("multiple_choice", "ranking"):
        rows["codes"] = [list(value) for value in values]
    elif type in ("single_choice", "country"):
        rows["text"] = values
    else:
        rows["number"] = numpy.asarray(values, dtype=float)
    return rows[ANSWER_COLUMNS]


def frame(*parts: pandas.DataFrame) -> pandas.DataFrame:
    return pandas.concat(parts, ignore_index=True)


def respondents(ids, **columns) -> pandas.DataFrame:
    """A respondents frame: one row per id, group columns as scalars or lists."""
    rows = pandas.DataFrame({"respondent": list(ids)})
    for column in RESPONDENT_COLUMNS[1:]:
        rows[column] = columns.get(column, DEFAULTS.get(column, ""))
    return rows
