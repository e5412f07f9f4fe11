"""Rating scales: their end points and which points count as agreeing or disagreeing.

A Likert question runs from 1 to its ``scale_points`` (5 or 7); a 0–10 scale from 0 to 10.
The *top-box rule*: the highest ``boxes`` points of a scale count as agreeing and the lowest
``boxes`` as disagreeing, two by default (Likert 5: 4–5 vs 1–2; Likert 7: 6–7 vs 1–2; 0–10:
9–10 vs 0–1). ``top_boxes`` may be one number for every scale or a mapping from the number of
points of a scale (5, 7, 11) to its number of boxes.
"""

from collections.abc import Mapping, Sequence

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
    frame: pandas.DataFrame,
    types: tuple[str, ...] = NUMERIC_TYPES,
    top_boxes: TopBoxes = DEFAULT_TOP_BOXES,
    *,
    columns: Sequence[str] | None = None,
) -> pandas.DataFrame:
    """The answered rows of ``frame`` whose type is in ``types``, with the columns ``scale_min``,
    ``scale_max`` (NaN for number questions), and ``agree``/``disagree`` (booleans by the top-box
    rule; NA for number questions). ``columns`` keeps only those of ``frame``'s columns (besides
    ``type``, ``number`` and ``scale_points``), which saves copying the rest."""
    kinds, names = pandas.factorize(frame["type"])
    wanted = numpy.isin(kinds, [code for code, name in enumerate(names) if name in types])
    wanted &= frame["number"].notna().to_numpy()
    if columns is not None:
        kept = ["type", "number", *(column for column in ("scale_points", "weight") if column in frame)]
        frame = frame[list(dict.fromkeys([*columns, *kept]))]
    answers = frame.loc[wanted]
    kinds = kinds[wanted]
    is_likert = kinds == _code(names, LIKERT)
    is_0_10 = kinds == _code(names, SCALE_0_10)
    scale_points = (
        pandas.to_numeric(answers["scale_points"], errors="coerce").to_numpy(dtype=float, na_value=numpy.nan)
        if "scale_points" in answers
        else numpy.full(len(answers), numpy.nan)
    )
    if (is_likert & numpy.isnan(scale_points)).any():
        raise ValueError("Likert answers need their question's scale_points (5 or 7) in a column.")
    number = answers["number"].to_numpy(dtype=float)
    scale_min = numpy.where(is_likert, 1.0, numpy.where(is_0_10, 0.0, numpy.nan))
    scale_max = numpy.where(is_likert, scale_points, numpy.where(is_0_10, 10.0, numpy.nan))
    boxes = box_counts(pandas.Series(scale_max - scale_min + 1), top_boxes).to_numpy()
    off_scale = numpy.isnan(scale_max)
    return answers.assign(
        number=number,
        scale_min=scale_min,
        scale_max=scale_max,
        agree=pandas.arrays.BooleanArray(number >= scale_max - boxes + 1, off_scale),
        disagree=pandas.arrays.BooleanArray(number <= scale_min + boxes - 1, off_scale),
    )


def _code(names: pandas.Index, name: str) -> int:
    """The position of ``name`` among factorized ``names``, or -1 (matching nothing) when absent."""
    return int(names.get_loc(name)) if name in names else -1


def box_counts(points: pandas.Series, top_boxes: TopBoxes = DEFAULT_TOP_BOXES) -> pandas.Series:
    """How many points at each end count as agreeing/disagreeing, for scales of ``points`` points."""
    if isinstance(top_boxes, Mapping):
        # A scale missing from the mapping keeps the default.
        return points.map(dict(top_boxes)).fillna(DEFAULT_TOP_BOXES).astype(float)
    return pandas.Series(float(top_boxes), index=points.index)
