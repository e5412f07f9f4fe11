"""Rating scales: their end points and which points count as agreeing or disagreeing.

A Likert question runs from 1 to its ``scale_points`` (5 or 7); a 0–10 scale from 0 to 10.
The *top-box rule*: the highest ``boxes`` points of a scale count as agreeing and the lowest
``boxes`` as disagreeing, two by default (Likert 5: 4–5 vs 1–2; Likert 7: 6–7 vs 1–2; 0–10:
9–10 vs 0–1). ``top_boxes`` may be one number for every scale or a mapping from the number of
points of a scale (5, 7, 11) to its number of boxes.
"""

from collections.abc import Mapping

import numpy
import pandas

LIKERT = "likert"
SCALE_0_10 = "scale_0_10"
NUMBER = "number"
SCALE_TYPES = (LIKERT, SCALE_0_10)
NUMERIC_TYPES = (LIKERT, SCALE_0_10, NUMBER)

TopBoxes = int | Mapping[int, int]
DEFAULT_TOP_BOXES = 2


def numeric_answers(
    frame: pandas.DataFrame, types: tuple[str, ...] = NUMERIC_TYPES, top_boxes: TopBoxes = DEFAULT_TOP_BOXES
) -> pandas.DataFrame:
    """The answered rows of ``frame`` whose type is in ``types``, with the columns ``scale_min``,
    ``scale_max`` (NaN for number questions), and ``agree``/``disagree`` (booleans by the top-box
    rule; NA for number questions)."""
    answers = frame.loc[frame["type"].isin(types) & frame["number"].notna()].copy()
    answers["number"] = answers["number"].astype(float)
    is_likert = answers["type"].eq(LIKERT)
    scale_points = (
        pandas.to_numeric(answers["scale_points"], errors="coerce").astype(float)
        if "scale_points" in answers
        else pandas.Series(float("nan"), index=answers.index)
    )
    if (is_likert & scale_points.isna()).any():
        raise ValueError("Likert answers need their question's scale_points (5 or 7) in a column.")
    is_0_10 = answers["type"].eq(SCALE_0_10)
    answers["scale_min"] = numpy.where(is_likert, 1.0, numpy.where(is_0_10, 0.0, numpy.nan))
    answers["scale_max"] = numpy.where(is_likert, scale_points, numpy.where(is_0_10, 10.0, numpy.nan))
    boxes = box_counts(answers["scale_max"] - answers["scale_min"] + 1, top_boxes)
    on_scale = answers["scale_max"].notna()
    answers["agree"] = (answers["number"] >= answers["scale_max"] - boxes + 1).astype("boolean")
    answers["disagree"] = (answers["number"] <= answers["scale_min"] + boxes - 1).astype("boolean")
    answers.loc[~on_scale, ["agree", "disagree"]] = pandas.NA
    return answers


def box_counts(points: pandas.Series, top_boxes: TopBoxes = DEFAULT_TOP_BOXES) -> pandas.Series:
    """How many points at each end count as agreeing/disagreeing, for scales of ``points`` points."""
    if isinstance(top_boxes, Mapping):
        # A scale missing from the mapping keeps the default.
        return points.map(dict(top_boxes)).fillna(DEFAULT_TOP_BOXES).astype(float)
    return pandas.Series(float(top_boxes), index=points.index)
