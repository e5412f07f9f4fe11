"""Themes of the coded interview answers as results: how many respondents raise each theme, where
groups differ, sentences for the report, and the coded passages for download.

A respondent *carries* a theme when any coder's segment (or, with ``coder=``, that coder's) on
any of their long-text answers — to the question ``question_code``, or to every long-text question
— carries the theme or one of its sub-themes. Shares are of the respondents who answered (a
non-blank answer to one of those questions); an answer nobody has coded yet counts as carrying no
theme, so shares are lower bounds until coding is complete. Methods: docs/analysis-methods.md,
"Qualitative coding".
"""

from collections.abc import Iterable, Sequence
from typing import Any

import numpy
import pandas
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q, QuerySet
from django.db.models.functions import Trim
from django.utils.translation import gettext_lazy as _
from scipy import stats as scipy_stats

from surveys.models import Answer, Question, Response, Survey

from .agreement import coding_frame, with_parent_themes
from .findings import (
    LIMIT,
    MIN_CELL_SIZE,
    PLACE_GROUPINGS,
    Finding,
    group_label,
    percent_text,
    publishable,
    q_text,
)
from .load import QUESTION_ORDER, respondent_pseudonym
from .models import CodedSegment, Theme
from .stats import ALPHA, GROUPINGS, MIN_GROUP_SIZE, benjamini_hochberg, suppress_small_cells

WAVE = "wave"
EVERYONE = "everyone"  # the one group of an overall table
THEME_GROUPINGS = (*GROUPINGS, WAVE)
DIVERGENCE_GROUPINGS = ("north_south", "un_region", "sector")
FISHER_EXACT = "fisher_exact"
CHI_SQUARE = "chi_square"
THEME_COLUMNS = ["theme", "theme_name", "parent", "parent_name"]
SHARE_COLUMNS = ["n", "count", "share", "suppressed"]
THEME_DIVERGENCE_COLUMNS = [
    *THEME_COLUMNS, "question", "grouping", "groups", "n_groups", "n", "test", "statistic", "p_value",
    "q_value", "significant", "share_group_high", "share_high", "count_high", "n_high", "share_group_low",
    "share_low", "count_low", "n_low", "share_difference", "suppressed",
]  # fmt: skip
# The counts a compared pair of groups rests on: (those carrying the theme, the group's total).
COMPARED_COUNTS = {"high": ("count_high", "n_high"), "low": ("count_low", "n_low")}
COMPARED_VALUES = (
    "share_high",
    "count_high",
    "n_high",
    "share_low",
    "count_low",
    "n_low",
    "share_difference",
)
SEGMENT_COLUMNS = [
    "respondent", "question", "theme", "parent_theme", "coder", "start", "end", "passage", "quotable",
]  # fmt: skip

THEME_SHARE_TEXT = {
    "from": _(
        "“%(theme)s” comes up in %(share_high)s of answers from %(group_high)s and %(share_low)s of "
        "answers from %(group_low)s (q %(q)s)."
    ),
    "in": _(
        "“%(theme)s” comes up in %(share_high)s of answers from experts in the group “%(group_high)s” "
        "and %(share_low)s of answers from those in “%(group_low)s” (q %(q)s)."
    ),
    WAVE: _(
        "“%(theme)s” comes up in %(share_high)s of answers in %(group_high)s and %(share_low)s of "
        "answers in %(group_low)s (q %(q)s)."
    ),
}

Surveys = Survey | Iterable[Survey] | QuerySet[Survey]


def _surveys(survey: Surveys) -> list[Survey]:
    return [survey] if isinstance(survey, Survey) else list(survey)


def _groupings(by: str | Sequence[str] | None) -> list[str]:
    columns = [] if by is None else [by] if isinstance(by, str) else list(by)
    unknown = [column for column in columns if column not in THEME_GROUPINGS]
    if unknown:
        raise ValueError(f"Cannot break themes down by {unknown}; use columns from {list(THEME_GROUPINGS)}.")
    return list(dict.fromkeys(columns))


def _respondents(surveys: list[Survey], question_code: str | None) -> pandas.DataFrame:
    """The non-blank long-text answers of submitted responses, in one query: ``answer``,
    ``response`` (ids, never shown), ``wave`` and the response's snapshot groups."""
    answers = Answer.objects.filter(
        response__survey__in=surveys,
        response__status=Response.Status.SUBMITTED,
        question__type=Question.Type.LONG_TEXT,
    )
    if question_code is not None:
        answers = answers.filter(question__code=question_code)
    rows = (
        answers.annotate(trimmed=Trim("text"))
        .exclude(trimmed="")
        .values_list(
            "pk", "response_id", "response__survey__wave_label", *(f"response__{g}" for g in GROUPINGS)
        )
    )
    frame = pandas.DataFrame.from_records(list(rows), columns=["answer", "response", WAVE, *GROUPINGS])
    return frame.astype({"answer": int, "response": int, **{column: str for column in THEME_GROUPINGS}})


def _themes(surveys: list[Survey], applied: Iterable[int]) -> pandas.DataFrame:
    """The themes of the surveys' codebooks (and of their series), with any other theme applied,
    in one query and in codebook order: each top-level theme followed by its sub-themes."""
    rows = Theme.objects.filter(
        Q(codebook__survey__in=surveys)
        | Q(codebook__series_id__in={survey.series_id for survey in surveys})
        | Q(pk__in=list(applied))
    ).values_list("pk", "name", "parent_id", "parent__name", "codebook_id", "position", "parent__position")
    frame = pandas.DataFrame.from_records(
        list(rows), columns=[*THEME_COLUMNS, "codebook", "position", "parent_position"]
    )
    is_child = frame["parent"].notna()
    frame = frame.assign(
        top_position=frame["parent_position"].where(is_child, frame["position"]),
        top=frame["parent"].where(is_child, frame["theme"]),
        is_child=is_child,
    ).sort_values(["codebook", "top_position", "top", "is_child", "position", "theme_name"], kind="stable")
    frame["parent_name"] = frame["parent_name"].fillna("")
    return frame[THEME_COLUMNS].astype({"theme": int, "parent": "Int64"}).reset_index(drop=True)


def _coding(
    survey: Surveys, question_code: str | None, coder: AbstractBaseUser | None
) -> tuple[pandas.DataFrame, pandas.DataFrame, pandas.DataFrame, list[Survey]]:
    """(respondents who answered, one row each with their groups; marks, a boolean frame of those
    respondents × themes, True where the respondent carries the theme; themes; surveys), in four
    queries at most (three for one survey)."""
    surveys = _surveys(survey)
    answers = _respondents(surveys, question_code)
    segments = coding_frame(survey=surveys, question_code=question_code)
    if coder is not None:
        segments = segments.loc[segments["coder"].eq(coder.pk)]
    segments = with_parent_themes(segments.loc[segments["theme"].notna()])
    carriers = segments.merge(answers[["answer", "response"]], on="answer")
    themes = _themes(surveys, segments["theme"].unique().tolist())
    respondents = answers.drop_duplicates("response").drop(columns="answer").reset_index(drop=True)
    marks = numpy.zeros((len(respondents), len(themes)), dtype=bool)
    marks[
        pandas.Index(respondents["response"]).get_indexer(carriers["response"]),
        pandas.Index(themes["theme"]).get_indexer(carriers["theme"].astype(int)),
    ] = True
    return respondents, pandas.DataFrame(marks, columns=themes["theme"]), themes, surveys


def _k(surveys: list[Survey], k: int | None) -> int:
    return max((survey.min_group_size for survey in surveys), default=MIN_CELL_SIZE) if k is None else k


def theme_shares(
    *,
    survey: Surveys,
    by: str | None = None,
    k: int | None = None,
    coder: AbstractBaseUser | None = None,
    question_code: str | None = None,
) -> pandas.DataFrame:
    """The share of respondents carrying each theme, overall or per group of ``by`` (one of
    ``GROUPINGS`` or ``"wave"``; several waves: pass them together as ``survey``).

    One row per theme (codebook order) — × group with ``by``, the unknown group "" included —
    with ``THEME_COLUMNS``, the group column, ``n`` (respondents who answered, in the group),
    ``count`` (those carrying the theme), ``share`` = count / n and ``suppressed``.

    Small cells are withheld with ``suppress_small_cells`` and ``k`` (the survey's
    ``min_group_size`` by default, the largest for several surveys): first the groups, whose
    sizes add up to the overall n — a group of fewer than k respondents, and a complementary
    group, lose n, count and share; then the counts of each theme, which add up over the groups
    to the theme's overall count — a count below k and a complementary one lose count and share.
    A count of 0 describes nobody and is shown. Four queries at most, whatever the number of
    answers.
    """
    groupings = _groupings(by)
    if len(groupings) > 1:
        raise ValueError(f"Break theme shares down by one column at a time, not {groupings}.")
    respondents, marks, themes, surveys = _coding(survey, question_code, coder)
    k = _k(surveys, k)
    columns = groupings or [EVERYONE]
    groups = respondents.assign(**{EVERYONE: ""})[columns]
    sizes = groups.groupby(columns).size().rename("n").reset_index()
    sizes = suppress_small_cells(sizes, "n", k, within=[], value_columns=["n"])
    counts = marks.groupby([groups[column] for column in columns]).sum()
    counts = counts.melt(ignore_index=False, var_name="theme", value_name="count").reset_index()
    table = themes.merge(sizes, how="cross").merge(counts, on=["theme", *columns], how="left")
    table["count"] = table["count"].fillna(0).astype(int).where(table["n"].notna())
    table["share"] = table["count"] / table["n"].astype(float)
    table = suppress_small_cells(table, "count", k, within=["theme"], value_columns=["count", "share"])
    return table[[*THEME_COLUMNS, *groupings, *SHARE_COLUMNS]].astype({"n": "Int64", "count": "Int64"})


def _test(carrying: numpy.ndarray, sizes: numpy.ndarray) -> tuple[str, float, float]:
    """(test, statistic, p-value) for the shares carrying/sizes of two or more groups."""
    table = numpy.column_stack([carrying, sizes - carrying])
    if len(sizes) == 2:
        result = scipy_stats.fisher_exact(table, alternative="two-sided")
        return FISHER_EXACT, float(result.statistic), float(result.pvalue)
    if (table.sum(axis=0) == 0).any():
        return CHI_SQUARE, 0.0, 1.0
    result = scipy_stats.chi2_contingency(table, correction=False)
    return CHI_SQUARE, float(result.statistic), float(result.pvalue)


def theme_divergence(
    *,
    survey: Surveys,
    by: str | Sequence[str] = DIVERGENCE_GROUPINGS,
    coder: AbstractBaseUser | None = None,
    question_code: str | None = None,
    min_group_size: int = MIN_GROUP_SIZE,
    k: int | None = None,
    alpha: float = ALPHA,
) -> pandas.DataFrame:
    """Where groups of respondents raise a theme more or less often: one row per theme × grouping
    in ``by`` that could be tested, with ``THEME_DIVERGENCE_COLUMNS``.

    Per theme and grouping, the groups compared are those with at least ``min_group_size``
    respondents who answered; the unknown group "" is left out; fewer than two groups, no row.
    The test compares the share carrying the theme: for two groups, Fisher's exact test on the
    2 × 2 table carrying / not × group (two-sided; ``statistic`` is the sample odds ratio); for
    more, Pearson's chi-square test of independence on the groups × 2 table (no continuity
    correction; p = 1 when nobody, or everybody, carries the theme). ``q_value``:
    Benjamini–Hochberg over every theme × grouping of the result; ``significant`` = q ≤ ``alpha``.
    ``share_group_high``/``share_group_low`` have the largest and smallest share, with their
    ``count_`` and ``n_``; ``share_difference`` = share_high − share_low.

    A row whose counts — carrying and not carrying, in either group named — would be withheld by
    ``suppress_small_cells`` with ``k`` (the survey's ``min_group_size`` by default) keeps its
    test but loses its counts and shares, and is marked ``suppressed``. Rows are sorted by
    q-value, then by share difference (largest first).
    """
    groupings = _groupings(by)
    respondents, marks, themes, surveys = _coding(survey, question_code, coder)
    rows = []
    for grouping in groupings:
        groups = respondents[grouping].to_numpy()
        sizes = pandas.Series(groups).value_counts()
        tested = sorted(sizes.index[(sizes >= min_group_size) & (sizes.index != "")])
        if len(tested) < 2:
            continue
        n = sizes[tested].to_numpy()
        counts = marks.groupby(groups).sum().reindex(tested)
        for theme in themes.itertuples(index=False):
            carrying = counts[theme.theme].to_numpy()
            test, statistic, p_value = _test(carrying, n)
            shares = carrying / n
            high, low = int(numpy.argmax(shares)), int(numpy.argmin(shares))
            rows.append(
                {
                    **theme._asdict(),
                    "question": question_code or "",
                    "grouping": grouping,
                    "groups": tuple(tested),
                    "n_groups": len(tested),
                    "n": int(n.sum()),
                    "test": test,
                    "statistic": statistic,
                    "p_value": p_value,
                    "share_group_high": tested[high],
                    "share_high": shares[high],
                    "count_high": int(carrying[high]),
                    "n_high": int(n[high]),
                    "share_group_low": tested[low],
                    "share_low": shares[low],
                    "count_low": int(carrying[low]),
                    "n_low": int(n[low]),
                    "share_difference": shares[high] - shares[low],
                }
            )
    table = pandas.DataFrame(rows, columns=THEME_DIVERGENCE_COLUMNS)
    table["q_value"] = benjamini_hochberg(table["p_value"].astype(float))
    table["significant"] = table["q_value"].le(alpha)
    table = table.sort_values(["q_value", "share_difference"], ascending=[True, False], kind="stable")
    table = table.reset_index(drop=True)
    shown = publishable(table.drop(columns="suppressed"), COMPARED_COUNTS, _k(surveys, k))
    hidden = ~shown.to_numpy(dtype=bool)
    for column in COMPARED_VALUES:
        table[column] = table[column].astype(float).mask(hidden)
    table["suppressed"] = hidden
    return table.astype({column: "Int64" for column in ("count_high", "n_high", "count_low", "n_low")})


def _theme_label(name: str, parent_name: str) -> str:
    return f"{parent_name} › {name}" if parent_name else name


def theme_findings(
    table: pandas.DataFrame, *, k: int = MIN_CELL_SIZE, limit: int = LIMIT, alpha: float = ALPHA
) -> list[Finding]:
    """Sentences for the ``limit`` sharpest significant differences (q ≤ ``alpha``) in a
    ``theme_divergence`` table, in its order: "“AI divide” comes up in 64 % of answers from the
    Global South and 21 % of answers from the Global North (q = 0.002)." A row is left out when it
    is ``suppressed`` or when a count it rests on (carrying and not, in either group) would be
    withheld with ``k``. Translatable: sentences are in the language active when this is called."""
    significant = table.loc[table["q_value"].le(alpha) & table["share_difference"].gt(0)]
    chosen = significant.loc[publishable(significant, COMPARED_COUNTS, k)].head(limit)
    findings = []
    for row in chosen.itertuples():
        family = "from" if row.grouping in PLACE_GROUPINGS else WAVE if row.grouping == WAVE else "in"
        text = THEME_SHARE_TEXT[family] % {
            "theme": _theme_label(row.theme_name, row.parent_name),
            "group_high": group_label(row.grouping, row.share_group_high),
            "group_low": group_label(row.grouping, row.share_group_low),
            "share_high": percent_text(row.share_high),
            "share_low": percent_text(row.share_low),
            "q": q_text(row.q_value),
        }
        numbers: dict[str, Any] = {
            "theme": int(row.theme),
            "grouping": row.grouping,
            "group_high": row.share_group_high,
            "group_low": row.share_group_low,
            "share_high": float(row.share_high),
            "share_low": float(row.share_low),
            "n_high": int(row.n_high),
            "n_low": int(row.n_low),
            "p_value": float(row.p_value),
            "q_value": float(row.q_value),
        }
        findings.append(
            Finding(
                kind="theme",
                question=row.question,
                text=text,
                numbers=numbers,
                table=f"themes-{row.grouping}",
            )
        )
    return findings


def coded_segments_frame(*, survey: Survey) -> pandas.DataFrame:
    """Every coded passage of the submitted answers to ``survey``, for download, in one query: one
    row per segment × theme with ``SEGMENT_COLUMNS`` — the ``respondent`` pseudonym (as in
    ``load.answers_frame``), the ``question`` code, the ``theme`` and ``parent_theme`` names (""
    for none), the ``coder``'s username (staff, not experts), ``start``/``end`` offsets, the
    ``passage`` text, and ``quotable`` (False when the expert chose "not for quotation": the
    passage may be analysed, never quoted). Nothing from the expert record: no name, email or
    organisation. Rows in questionnaire order, then by response and offset, a segment's themes in
    codebook position order."""
    rows = (
        CodedSegment.objects.filter(
            answer__response__survey=survey, answer__response__status=Response.Status.SUBMITTED
        )
        .order_by(
            *(f"answer__question__{field}" for field in QUESTION_ORDER),
            "answer__response_id",
            "start",
            "end",
            "pk",
            "themes__position",
            "themes__name",
        )
        .values_list(
            "answer__response_id",
            "answer__question__code",
            "themes__name",
            "themes__parent__name",
            "coder__username",
            "start",
            "end",
            "answer__text",
            "answer__response__attribution",
        )
    )
    frame = pandas.DataFrame.from_records(
        list(rows), columns=["response", *SEGMENT_COLUMNS[1:7], "text", "attribution"]
    )
    pseudonyms = {response: respondent_pseudonym(response) for response in frame["response"].unique()}
    frame["respondent"] = frame["response"].map(pseudonyms).astype(str)
    frame["passage"] = [
        text[start:end] for text, start, end in zip(frame["text"], frame["start"], frame["end"], strict=True)
    ]
    frame["quotable"] = frame["attribution"].ne(Response.Attribution.NOT_FOR_QUOTATION)
    frame[["theme", "parent_theme"]] = frame[["theme", "parent_theme"]].fillna("")
    return frame[SEGMENT_COLUMNS].astype(
        {"start": int, "end": int, "passage": str, "question": str, "coder": str}
    )
