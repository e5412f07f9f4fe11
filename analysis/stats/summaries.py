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

import numpy
import pandas

from .grouping import (
    codes_key,
    first_rows,
    group_columns,
    group_sizes,
    in_question_order,
    row_groups,
    weights,
)
from .scales import DEFAULT_TOP_BOXES, NUMBER, SCALE_TYPES, TopBoxes, numeric_answers

CHOICE_TYPES = ("single_choice", "multiple_choice", "country")
By = str | Sequence[str] | None


def value_counts(answers: pandas.DataFrame, keys: list[str], first: Sequence[str] = ()) -> pandas.DataFrame:
    """How many answers hold each distinct ``number`` in each group of ``keys``: the keys,
    ``number`` and ``count``, with the first value of each column in ``first`` (columns that are
    the same for every answer of a question, such as its type). Rows are sorted by number within
    each group and ``_group`` numbers the groups 0, 1, … in order of appearance."""
    # Numbered and summed with NumPy (``row_groups``): a pandas groupby of as many keys costs
    # several times more. ``first`` columns hold one value per group, so its first row's is it.
    cell = row_groups(answers, [*keys, "number"])
    counts = answers.iloc[first_rows(cell)][[*keys, "number", *first]].reset_index(drop=True)
    counts.insert(len(keys) + 1, "count", numpy.bincount(cell, weights=weights(answers)).astype("int64"))
    group = row_groups(counts, keys)
    order = numpy.lexsort((counts["number"].to_numpy(dtype=float), group))
    return counts.take(order).assign(_group=group[order]).reset_index(drop=True)


def _describe_counts(counts: pandas.DataFrame, keys: list[str]) -> pandas.DataFrame:
    """``describe_numbers`` from ``value_counts``: per group, n, mean, sd, min, quartiles, max, IQR."""
    values = counts["number"].to_numpy(dtype=float)
    weights = counts["count"].to_numpy(dtype=float)
    group = counts["_group"].to_numpy()
    starts = numpy.flatnonzero(numpy.r_[True, group[1:] != group[:-1]]) if len(group) else group
    ends = starts + numpy.bincount(group) - 1
    n = numpy.bincount(group, weights=weights)
    mean = numpy.bincount(group, weights=weights * values) / n
    squares = numpy.bincount(group, weights=weights * (values - mean[group]) ** 2)
    with numpy.errstate(divide="ignore", invalid="ignore"):
        sd = numpy.where(n > 1, numpy.sqrt(squares / (n - 1)), numpy.nan)
    cumulative = numpy.cumsum(weights)
    before = cumulative[starts] - weights[starts]

    def order_statistic(position: numpy.ndarray) -> numpy.ndarray:
        # The value at 0-based ``position`` within each group: the first whose cumulative count
        # passes it.
        return values[numpy.searchsorted(cumulative, before + position, side="right")]

    def quantile(p: float) -> numpy.ndarray:
        # Hyndman & Fan definition 7: linear interpolation at h = (n − 1)p between order statistics.
        h = (n - 1) * p
        low = numpy.floor(h)
        below, above = order_statistic(low), order_statistic(numpy.minimum(low + 1, n - 1))
        return below + (h - low) * (above - below)

    summary = counts.iloc[starts][keys].reset_index(drop=True)
    summary["n"] = n.astype(int)
    summary["mean"] = mean
    summary["sd"] = sd
    summary["min"] = values[starts]
    summary["q1"] = quantile(0.25)
    summary["median"] = quantile(0.5)
    summary["q3"] = quantile(0.75)
    summary["max"] = values[ends]
    summary["iqr"] = summary["q3"] - summary["q1"]
    return summary


def describe_numbers(answers: pandas.DataFrame, keys: list[str]) -> pandas.DataFrame:
    """Per group of ``keys``: ``n``, ``mean``, ``sd``, ``min``, ``q1``, ``median``, ``q3``, ``max``, ``iqr``.

    sd is the sample standard deviation, √(Σ(x − x̄)² / (n − 1)) (NaN when n = 1). Quartiles use
    linear interpolation between order statistics, q_p = x₍ⱼ₎ + (h − j)(x₍ⱼ₊₁₎ − x₍ⱼ₎) with
    h = (n − 1)p + 1 (Hyndman & Fan 1996, definition 7; the default of R and NumPy);
    iqr = q3 − q1. Computed from how many answers hold each value, so the work grows with the
    number of distinct answers rather than of answers.
    """
    return _describe_counts(value_counts(answers, keys), keys)


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


SCALE_FIRST = ["type", "scale_min", "scale_max", "agree", "disagree"]


def _scale_counts(frame: pandas.DataFrame, keys: list[str], top_boxes: TopBoxes) -> pandas.DataFrame:
    """``value_counts`` of the rating-scale answers in ``frame``, with each point's scale and box."""
    return value_counts(numeric_answers(frame, SCALE_TYPES, top_boxes, columns=keys), keys, SCALE_FIRST)


def _distribution(counts: pandas.DataFrame, keys: list[str]) -> pandas.DataFrame:
    """Every point of each group's scale with its ``count`` (0 when unchosen), from ``_scale_counts``:
    the keys, ``point``, ``count``, ``n`` and ``share``; groups in order of appearance, points ascending."""
    n = numpy.bincount(counts["_group"], weights=counts["count"]).astype(int)
    groups = counts.drop_duplicates("_group")
    scale_min = groups["scale_min"].to_numpy(dtype=float).astype(int)
    scale_max = groups["scale_max"].to_numpy(dtype=float).astype(int)
    points_per_group = scale_max - scale_min + 1
    group = numpy.repeat(numpy.arange(len(groups)), points_per_group)
    point = numpy.arange(len(group)) - numpy.repeat(
        numpy.cumsum(points_per_group) - points_per_group, points_per_group
    )
    point += scale_min[group]
    table = groups[keys].iloc[group].reset_index(drop=True)
    table["point"] = point
    chosen = pandas.Series(
        counts["count"].to_numpy(),
        index=pandas.MultiIndex.from_arrays([counts["_group"], counts["number"].astype(int)]),
    )
    table["count"] = (
        chosen.reindex(pandas.MultiIndex.from_arrays([group, point]), fill_value=0).to_numpy().astype(int)
    )
    table["n"] = n[group]
    table["share"] = table["count"] / table["n"]
    return table


def scale_distribution(
    frame: pandas.DataFrame, by: By = None, *, top_boxes: TopBoxes = DEFAULT_TOP_BOXES
) -> pandas.DataFrame:
    """Answers per point of each rating scale (Likert and 0–10 questions): ``question``, the group
    columns, ``point``, ``count``, ``n`` (answers in the group) and ``share`` = count / n.
    Every point of the scale appears, with count 0 when nobody chose it."""
    columns = group_columns(by)
    keys = ["question", *columns]
    table = _distribution(_scale_counts(frame, keys, top_boxes), keys)
    return in_question_order(table[[*keys, "point", "count", "n", "share"]], frame, [*columns, "point"])


def scale_summary(
    frame: pandas.DataFrame,
    by: By = None,
    *,
    respondents: pandas.DataFrame | None = None,
    top_boxes: TopBoxes = DEFAULT_TOP_BOXES,
    distribution: bool = True,
) -> pandas.DataFrame:
    """One row per rating-scale question (Likert, 0–10) and group of ``by`` (0–2 of
    ``GROUPINGS``) with:

    - ``n`` answered, ``n_respondents`` and ``n_skipped`` (see the module docstring);
    - ``distribution``: {point: count} over every point of the scale (left out with
      ``distribution=False``, which saves a dict per row);
    - ``mean``, ``sd``, ``min``, ``q1``, ``median``, ``q3``, ``max``, ``iqr`` (``describe_numbers``);
    - ``n_agree``/``share_agree`` and ``n_disagree``/``share_disagree``: answers in the top or
      bottom boxes of the scale (``scales``: by default the top two and bottom two points),
      shares of those who answered;
    - ``type``, ``scale_min``, ``scale_max``.

    Rows come in questionnaire order, then by group. Everything is computed from one count of
    answers per group and point.
    """
    columns = group_columns(by)
    keys = ["question", *columns]
    counts = _scale_counts(frame, keys, top_boxes)
    summary = _describe_counts(counts, keys)
    firsts = counts.drop_duplicates("_group")
    for column in ("type", "scale_min", "scale_max"):
        summary[column] = firsts[column].to_numpy()
    for box in ("agree", "disagree"):
        inside = counts[box].fillna(False).to_numpy(dtype=bool)
        summary[f"n_{box}"] = numpy.bincount(
            counts["_group"], weights=counts["count"] * inside, minlength=len(summary)
        ).astype(int)
    if distribution:
        per_point = _distribution(counts, keys)
        points, chosen = per_point["point"].tolist(), per_point["count"].tolist()
        ends = numpy.cumsum((summary["scale_max"] - summary["scale_min"] + 1).to_numpy(dtype=int))
        summary["distribution"] = [
            dict(zip(points[end - size : end], chosen[end - size : end], strict=True))
            for end, size in zip(ends, numpy.diff(ends, prepend=0), strict=True)
        ]
    table = with_skipped(summary, frame, respondents, columns, ["type", "scale_min", "scale_max"])
    for count in ("n_agree", "n_disagree"):
        table[count] = table[count].fillna(0).astype(int)
    table["share_agree"] = table["n_agree"] / table["n"].where(table["n"] > 0)
    table["share_disagree"] = table["n_disagree"] / table["n"].where(table["n"] > 0)
    ordered = [
        *keys, "type", "scale_min", "scale_max", "n", "n_respondents", "n_skipped",
        *(["distribution"] if distribution else []),
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
    answers = numeric_answers(frame, (NUMBER,), columns=keys)
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


def _options_chosen(answers: pandas.DataFrame) -> tuple[numpy.ndarray, numpy.ndarray, pandas.Index]:
    """(the row of ``answers`` of each option chosen, a number per option chosen, the options by
    number): a single choice's ``text``, each code a multiple choice ticked in ``codes``; empty
    options left out. Each distinct text and list of codes is read once, not once per row."""
    multiple = answers["type"].eq("multiple_choice").to_numpy()
    single_rows, multiple_rows = numpy.flatnonzero(~multiple), numpy.flatnonzero(multiple)
    text = pandas.Categorical(answers["text"].iloc[single_rows])
    ticked = answers.iloc[multiple_rows]
    lists = ticked["codes_key"].to_numpy() if "codes_key" in ticked else codes_key(ticked)
    distinct = ticked["codes"].to_numpy(dtype=object)[first_rows(lists)]
    lengths = numpy.fromiter(map(len, distinct), dtype="int64", count=len(distinct))
    flat = [str(code) for codes in distinct for code in codes]
    options, numbers = numpy.unique(
        numpy.array([*text.categories.astype(str), *flat], dtype=object), return_inverse=True
    )
    text_option = numpy.r_[numbers[: len(text.categories)], -1][text.codes]  # -1: no text
    # Each ticked row's codes: its list's slice of ``flat``, in the list's order.
    flat_option = numbers[len(text.categories) :]
    per_row = lengths[lists]
    starts = numpy.repeat(numpy.cumsum(lengths)[lists] - per_row, per_row)
    within = numpy.arange(per_row.sum()) - numpy.repeat(numpy.cumsum(per_row) - per_row, per_row)
    row = numpy.concatenate([single_rows, numpy.repeat(multiple_rows, per_row)])
    option = numpy.concatenate([text_option, flat_option[starts + within]]).astype("int64")
    given = option >= 0
    empty = numpy.flatnonzero(options == "")
    if empty.size:
        given &= option != empty[0]
    return row[given], option[given], pandas.Index(options, dtype=object)


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
    asked = frame["type"].isin(CHOICE_TYPES).to_numpy()
    answers = frame.loc[asked, ["respondent", *keys, "type", "text", "codes"]]
    weight = weights(frame)[asked]
    # Respondents, groups and options become integer codes once, so that the de-duplicating and
    # counting below never hash text again.
    group = row_groups(answers, keys)
    respondent = pandas.factorize(answers["respondent"])[0]
    row, option_code, options = _options_chosen(answers)
    chosen = pandas.DataFrame(
        {"group": group[row], "respondent": respondent[row], "option": option_code, "weight": weight[row]}
    ).drop_duplicates(["group", "respondent", "option"])
    answerers = chosen.drop_duplicates(["group", "respondent"]).groupby("group", sort=False)["weight"].sum()
    counts = chosen.groupby(["group", "option"], sort=False)["weight"].sum()
    # Each (group, option) counted, then with choices every option of each group's question
    # added with count 0, matched by group number and option rather than by the group's columns.
    cells = pandas.DataFrame(
        {
            "_group": counts.index.get_level_values("group").to_numpy(),
            "option": options.take(counts.index.get_level_values("option")).to_numpy(dtype=object),
            "count": counts.to_numpy(),
        }
    )
    first_row = first_rows(group)
    if choices is None:
        cells["position"] = float("nan")
    else:
        groups = answerers.index.to_numpy()
        questions = pandas.DataFrame(
            {"_group": groups, "question": answers["question"].to_numpy(dtype=object)[first_row[groups]]}
        )
        listed = choices[["question", "code", "position"]].rename(columns={"code": "option"})
        listed = questions.merge(listed.astype({"question": object, "option": object}), on="question")
        # Country questions have no choices: their options are the countries chosen.
        cells = cells.merge(listed.drop(columns="question"), on=["_group", "option"], how="outer")
        cells["count"] = cells["count"].fillna(0).astype(int)
    table = answers[keys].iloc[first_row[cells["_group"].to_numpy()]].reset_index(drop=True)
    table["n"] = answerers.reindex(cells["_group"].to_numpy()).to_numpy()
    table["option"] = cells["option"].astype(str).to_numpy()
    table["count"] = cells["count"].to_numpy()
    table["position"] = cells["position"].to_numpy()
    table["share"] = table["count"] / table["n"]
    table["_by_count"] = -table["count"]
    ordered = in_question_order(table, frame, [*columns, "position", "_by_count", "option"])
    return ordered[[*keys, "option", "count", "n", "share"]]
