"""Descriptive summaries per question, overall or broken down by up to two groupings.

Every function takes a tidy answers frame (``analysis.load.answers_frame``: one row per answer
with ``respondent``, ``question``, ``type``, ``number``, ``text``, ``codes`` and the group
columns) and returns a frame with one row per question (and group, and option or point).

*Skipped*: a respondent who submitted but has no answer to a question skipped it, whether they
left it blank or a show-if condition hid it from them. Skips are counted against
``respondents`` (``analysis.load.respondents_frame``); without it, against the respondents who
gave at least one answer in ``frame``.
"""

from collections.abc import Sequence

import pandas

from .grouping import group_columns, group_sizes, in_question_order
from .scales import DEFAULT_TOP_BOXES, NUMBER, SCALE_TYPES, TopBoxes, numeric_answers

CHOICE_TYPES = ("single_choice", "multiple_choice", "country")
By = str | Sequence[str] | None


def describe_numbers(answers: pandas.DataFrame, keys: list[str]) -> pandas.DataFrame:
    """Per group of ``keys``: ``n``, ``mean``, ``sd``, ``min``, ``q1``, ``median``, ``q3``, ``max``, ``iqr``.

    sd is the sample standard deviation, √(Σ(x − x̄)² / (n − 1)) (NaN when n = 1). Quartiles use
    linear interpolation between order statistics, q_p = x₍ⱼ₎ + (h − j)(x₍ⱼ₊₁₎ − x₍ⱼ₎) with
    h = (n − 1)p + 1 (Hyndman & Fan 1996, definition 7; the default of R and NumPy);
    iqr = q3 − q1.
    """
    grouped = answers.groupby(keys, sort=False, dropna=False)["number"]
    summary = grouped.agg(n="size", mean="mean", sd="std", min="min", median="median", max="max")
    summary["q1"] = grouped.quantile(0.25)
    summary["q3"] = grouped.quantile(0.75)
    summary["iqr"] = summary["q3"] - summary["q1"]
    return summary[["n", "mean", "sd", "min", "q1", "median", "q3", "max", "iqr"]].reset_index()


def with_skipped(
    summary: pandas.DataFrame,
    frame: pandas.DataFrame,
    respondents: pandas.DataFrame | None,
    columns: list[str],
    question_columns: list[str],
) -> pandas.DataFrame:
    """``summary`` completed to every question × group of respondents, with ``n_respondents`` and
    ``n_skipped`` = n_respondents − n (answered). ``question_columns`` describe the question and
    are copied to rows of groups where nobody answered it."""
    questions = summary[["question", *question_columns]].drop_duplicates("question")
    grid = questions.merge(group_sizes(frame, respondents, columns), how="cross")
    completed = grid.merge(summary.drop(columns=question_columns), on=["question", *columns], how="left")
    completed["n"] = completed["n"].fillna(0).astype(int)
    completed["n_skipped"] = completed["n_respondents"] - completed["n"]
    return completed


def scale_distribution(
    frame: pandas.DataFrame, by: By = None, *, top_boxes: TopBoxes = DEFAULT_TOP_BOXES
) -> pandas.DataFrame:
    """Answers per point of each rating scale (Likert and 0–10 questions): ``question``, the group
    columns, ``point``, ``count``, ``n`` (answers in the group) and ``share`` = count / n.
    Every point of the scale appears, with count 0 when nobody chose it."""
    columns = group_columns(by)
    keys = ["question", *columns]
    answers = numeric_answers(frame, SCALE_TYPES, top_boxes)
    counts = answers.groupby([*keys, "number"], dropna=False).size().rename("count").reset_index()
    groups = answers.groupby(keys, sort=False, dropna=False).agg(
        n=("number", "size"), scale_min=("scale_min", "first"), scale_max=("scale_max", "first")
    )
    grid = groups.reset_index().merge(pandas.DataFrame({"point": range(11)}), how="cross")
    grid = grid[grid["point"].between(grid["scale_min"], grid["scale_max"])]
    table = grid.merge(
        counts.rename(columns={"number": "point"}).astype({"point": int}), on=[*keys, "point"], how="left"
    )
    table["count"] = table["count"].fillna(0).astype(int)
    table["share"] = table["count"] / table["n"]
    return in_question_order(table[[*keys, "point", "count", "n", "share"]], frame, [*columns, "point"])


def scale_summary(
    frame: pandas.DataFrame,
    by: By = None,
    *,
    respondents: pandas.DataFrame | None = None,
    top_boxes: TopBoxes = DEFAULT_TOP_BOXES,
) -> pandas.DataFrame:
    """One row per rating-scale question (Likert, 0–10) and group of ``by`` (0–2 of
    ``GROUPINGS``) with:

    - ``n`` answered, ``n_respondents`` and ``n_skipped`` (see the module docstring);
    - ``distribution``: {point: count} over every point of the scale;
    - ``mean``, ``sd``, ``min``, ``q1``, ``median``, ``q3``, ``max``, ``iqr`` (``describe_numbers``);
    - ``n_agree``/``share_agree`` and ``n_disagree``/``share_disagree``: answers in the top or
      bottom boxes of the scale (``scales``: by default the top two and bottom two points),
      shares of those who answered;
    - ``type``, ``scale_min``, ``scale_max``.

    Rows come in questionnaire order, then by group.
    """
    columns = group_columns(by)
    keys = ["question", *columns]
    answers = numeric_answers(frame, SCALE_TYPES, top_boxes)
    summary = describe_numbers(answers, keys).merge(
        answers.groupby(keys, sort=False, dropna=False)
        .agg(
            type=("type", "first"),
            scale_min=("scale_min", "first"),
            scale_max=("scale_max", "first"),
            n_agree=("agree", "sum"),
            n_disagree=("disagree", "sum"),
        )
        .reset_index(),
        on=keys,
    )
    distribution = (
        scale_distribution(frame, by, top_boxes=top_boxes)
        .groupby(keys, sort=False, dropna=False)
        .agg(points=("point", list), counts=("count", list))
        .reset_index()
    )
    distribution["distribution"] = [
        dict(zip(points, counts, strict=True))
        for points, counts in zip(distribution["points"], distribution["counts"], strict=True)
    ]
    summary = summary.merge(distribution[[*keys, "distribution"]], on=keys)
    table = with_skipped(summary, frame, respondents, columns, ["type", "scale_min", "scale_max"])
    for count in ("n_agree", "n_disagree"):
        table[count] = table[count].fillna(0).astype(int)
    table["share_agree"] = table["n_agree"] / table["n"].where(table["n"] > 0)
    table["share_disagree"] = table["n_disagree"] / table["n"].where(table["n"] > 0)
    ordered = [
        *keys, "type", "scale_min", "scale_max", "n", "n_respondents", "n_skipped", "distribution",
        "mean", "sd", "min", "q1", "median", "q3", "max", "iqr",
        "n_agree", "share_agree", "n_disagree", "share_disagree",
    ]  # fmt: skip
    return in_question_order(table[ordered], frame, columns)


def number_summary(
    frame: pandas.DataFrame, by: By = None, *, respondents: pandas.DataFrame | None = None
) -> pandas.DataFrame:
    """One row per number question and group of ``by``: ``n``, ``n_respondents``, ``n_skipped``,
    ``mean``, ``sd``, ``min``, ``q1``, ``median``, ``q3``, ``max``, ``iqr`` (formulas in
    ``describe_numbers``)."""
    columns = group_columns(by)
    keys = ["question", *columns]
    answers = numeric_answers(frame, (NUMBER,))
    summary = describe_numbers(answers, keys).assign(type=NUMBER)
    table = with_skipped(summary, frame, respondents, columns, ["type"])
    ordered = [
        *keys,
        "n",
        "n_respondents",
        "n_skipped",
        "mean",
        "sd",
        "min",
        "q1",
        "median",
        "q3",
        "max",
        "iqr",
    ]
    return in_question_order(table[ordered], frame, columns)


def choice_summary(
    frame: pandas.DataFrame, by: By = None, *, choices: pandas.DataFrame | None = None
) -> pandas.DataFrame:
    """Share of respondents choosing each option of single-choice, multiple-choice and country
    questions: ``question``, the group columns, ``option``, ``count`` (respondents who chose it),
    ``n`` (respondents who answered the question in the group) and ``share`` = count / n.

    For multiple choice the denominator is respondents, not ticks: a respondent ticking three
    options counts once in ``n`` and once in each option's count, so shares may add up to more
    than 1. With ``choices`` (``load.choices_frame``) every option appears, with count 0 when
    nobody chose it, in the questionnaire's order; otherwise options are ordered by count.
    """
    columns = group_columns(by)
    keys = ["question", *columns]
    answers = frame.loc[frame["type"].isin(CHOICE_TYPES)]
    single = answers.loc[answers["type"].ne("multiple_choice"), ["respondent", *keys, "text"]]
    ticked = (
        answers.loc[answers["type"].eq("multiple_choice"), ["respondent", *keys, "codes"]]
        .explode("codes")
        .rename(columns={"codes": "option"})
    )
    chosen = pandas.concat([single.rename(columns={"text": "option"}), ticked], ignore_index=True)
    chosen = chosen[chosen["option"].notna() & chosen["option"].ne("")]
    chosen = chosen.astype({"option": str}).drop_duplicates(["respondent", *keys, "option"])
    answered = chosen.groupby(keys, dropna=False)["respondent"].nunique().rename("n").reset_index()
    counts = chosen.groupby([*keys, "option"], dropna=False).size().rename("count").reset_index()
    table = answered.merge(counts, on=keys)
    if choices is None:
        table["position"] = float("nan")
    else:
        options = choices[["question", "code", "position"]].rename(columns={"code": "option"})
        # Country questions have no choices: their options are the countries chosen.
        table = table.merge(answered.merge(options, on="question"), on=[*keys, "n", "option"], how="outer")
        table["count"] = table["count"].fillna(0).astype(int)
    table["share"] = table["count"] / table["n"]
    table["_by_count"] = -table["count"]
    ordered = in_question_order(table, frame, [*columns, "position", "_by_count", "option"])
    return ordered[[*keys, "option", "count", "n", "share"]]
