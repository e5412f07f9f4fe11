"""How far independent coders agree on the themes of free-text answers.

The unit of agreement is an **answer × theme**: for a coder, a theme is *present* on an answer
when any of that coder's segments on the answer carries the theme or one of its sub-themes, and
*absent* otherwise. Only answers coded by **every** chosen coder are compared (an answer is coded by
a coder who has at least one segment on it, with or without themes), so there are no missing
values. Per theme: Cohen's kappa for exactly two coders and Krippendorff's alpha (nominal) for any
number; overall, the same statistics over the answer × theme units of all themes pooled.
Formulas and references: ``agreement`` and docs/analysis-methods.md, "Qualitative coding".
"""

from collections.abc import Iterable, Sequence

import krippendorff
import numpy
import pandas
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _
from sklearn.metrics import cohen_kappa_score

from surveys.models import Response, Survey

from .models import CodedSegment

CODING_COLUMNS = ["segment", "answer", "coder", "theme", "parent", "question"]
AGREEMENT_COLUMNS = [
    "theme",
    "n_answers",
    "n_coders",
    "share_present",
    "observed_agreement",
    "kappa",
    "alpha",
]

Surveys = Survey | Iterable[Survey] | QuerySet[Survey]


def coding_frame(*, survey: Surveys, question_code: str | None = None) -> pandas.DataFrame:
    """Every coded segment on the submitted answers of ``survey`` (a survey, or several waves), in
    one query: one row per segment × theme with ``CODING_COLUMNS`` — the ids of the ``segment``,
    the ``answer``, the ``coder`` (a staff user), the ``theme`` and its ``parent`` theme (NA for a
    top-level theme), and the ``question`` code. A segment without themes has one row with theme NA,
    so it still says that its coder coded the answer. No personal data and no answer text."""
    surveys = [survey] if isinstance(survey, Survey) else survey
    segments = CodedSegment.objects.filter(
        answer__response__survey__in=surveys, answer__response__status=Response.Status.SUBMITTED
    )
    if question_code is not None:
        segments = segments.filter(answer__question__code=question_code)
    rows = segments.order_by("answer_id", "coder_id", "pk").values_list(
        "pk", "answer_id", "coder_id", "themes", "themes__parent_id", "answer__question__code"
    )
    frame = pandas.DataFrame.from_records(list(rows), columns=CODING_COLUMNS)
    return frame.astype(
        {"segment": int, "answer": int, "coder": int, "theme": "Int64", "parent": "Int64", "question": str}
    )


def _ids(objects: Iterable[Model | int]) -> list[int]:
    """The ids of ``objects`` (model instances or ids), each once, in order."""
    return list(dict.fromkeys(int(getattr(item, "pk", item)) for item in objects))


def with_parent_themes(frame: pandas.DataFrame) -> pandas.DataFrame:
    """``frame`` (``coding_frame``) with one more row for every row whose theme has a parent,
    carrying the parent: a sub-theme counts as its parent theme too."""
    if "parent" not in frame:
        return frame
    children = frame.loc[frame["parent"].notna()]
    return pandas.concat(
        [frame, children.assign(theme=children["parent"], parent=pandas.NA)], ignore_index=True
    )


def presence(
    *, frame: pandas.DataFrame, coders: Sequence[Model | int] | None, themes: Iterable[Model | int]
) -> pandas.DataFrame:
    """The ratings compared: a boolean frame indexed by (``answer``, ``theme``) with one column per
    coder (the coder's id), True where the theme is present on the answer for that coder. Rows are
    the answers coded by every one of ``coders`` (all coders in ``frame`` when None), by id, × the
    ``themes`` in the order given."""
    coder_ids = sorted(frame["coder"].unique().tolist()) if coders is None else _ids(coders)
    if len(coder_ids) < 2:
        raise ValueError(_("Agreement needs at least two different coders."))
    theme_ids = _ids(themes)
    if not theme_ids:
        raise ValueError(_("Choose at least one theme to measure agreement on."))
    chosen = with_parent_themes(frame.loc[frame["coder"].isin(coder_ids)])
    coded_by = chosen.groupby("answer")["coder"].nunique()
    answers = pandas.Index(coded_by.index[coded_by.eq(len(coder_ids))].sort_values(), name="answer")
    if answers.empty:
        raise ValueError(
            _(
                "These coders have not coded any answer in common yet. Agreement is measured on the "
                "answers that every one of them has coded."
            )
        )
    applied = chosen.loc[chosen["answer"].isin(answers) & chosen["theme"].isin(theme_ids)]
    cube = numpy.zeros((len(answers), len(theme_ids), len(coder_ids)), dtype=bool)
    cube[
        answers.get_indexer(applied["answer"]),
        pandas.Index(theme_ids).get_indexer(applied["theme"].astype(int)),
        pandas.Index(coder_ids).get_indexer(applied["coder"]),
    ] = True
    units = pandas.MultiIndex.from_product([answers, theme_ids], names=["answer", "theme"])
    return pandas.DataFrame(
        cube.reshape(-1, len(coder_ids)), index=units, columns=pandas.Index(coder_ids, name="coder")
    )


def krippendorff_alpha_nominal(ratings: numpy.ndarray) -> float:
    """Krippendorff's alpha for nominal data (Krippendorff 2011, "Computing Krippendorff's
    Alpha-Reliability"), from the ``krippendorff`` package: ``ratings`` is coders × units with NaN
    for a missing value. α = 1 − D_o / D_e, with D_o the observed disagreement among the values
    paired within units and D_e the disagreement expected when values are paired by chance (drawn
    without replacement from all pairable values). NaN when every value is the same (D_e = 0)."""
    values = numpy.asarray(ratings, dtype=float)
    if numpy.unique(values[~numpy.isnan(values)]).size < 2:
        return numpy.nan
    return float(krippendorff.alpha(reliability_data=values, level_of_measurement="nominal"))


def cohens_kappa(first: Sequence, second: Sequence) -> float:
    """Cohen's kappa (Cohen 1960) of two coders' ratings of the same units, from scikit-learn:
    κ = (p_o − p_e) / (1 − p_e), with p_o the share of units they agree on and p_e the agreement
    expected from each coder's own shares of the categories. NaN when both give one and the same
    category to every unit (p_e = 1)."""
    if len(set(first) | set(second)) < 2:
        return numpy.nan
    return float(cohen_kappa_score(first, second))


def _statistics(ratings: numpy.ndarray) -> dict:
    """The agreement of ``ratings`` (units × coders, booleans, no missing values)."""
    n_units, n_coders = ratings.shape
    present = ratings.sum(axis=1)
    # Agreeing ordered pairs of coders per unit, over all ordered pairs: 1 − D_o of alpha.
    agreeing_pairs = present * (present - 1) + (n_coders - present) * (n_coders - present - 1)
    observed = agreeing_pairs.sum() / (n_units * n_coders * (n_coders - 1)) if n_units else numpy.nan
    kappa = cohens_kappa(ratings[:, 0], ratings[:, 1]) if n_coders == 2 and n_units else numpy.nan
    return {
        "n_coders": n_coders,
        "share_present": float(ratings.mean()) if n_units else numpy.nan,
        "observed_agreement": float(observed),
        "kappa": kappa,
        "alpha": krippendorff_alpha_nominal(ratings.T.astype(float)) if n_units else numpy.nan,
    }


def agreement(
    *, frame: pandas.DataFrame, coders: Sequence[Model | int] | None = None, themes: Iterable[Model | int]
) -> pandas.DataFrame:
    """Inter-coder agreement per theme, then overall, from ``coding_frame``: one row per theme
    (``theme`` id, in the order given) and a last row with ``theme`` NA for all themes pooled.

    The units are the answers coded by every one of ``coders`` (all coders in ``frame`` when
    None; at least two) × the theme; a theme is present for a coder when any of the coder's
    segments on the answer carries it or one of its sub-themes (``presence``). Columns:

    - ``n_answers``: answers compared; ``n_coders``;
    - ``share_present``: the share of all ratings that mark the theme present (kappa and alpha
      are unstable for very rare or very common themes);
    - ``observed_agreement``: the share of agreeing pairs of coders, averaged over units — for two
      coders, the share of answers on which they agree (p_o);
    - ``kappa``: Cohen's kappa, for exactly two coders (NaN otherwise); ``alpha``: Krippendorff's
      alpha, nominal, for any number of coders (see ``cohens_kappa``,
      ``krippendorff_alpha_nominal``). NaN when every rating is the same: agreement beyond chance
      is undefined then.

    *Overall* pools the answer × theme units of all themes: each coder's ratings of every theme
    are put one after the other and the statistics computed once over the n_answers × n_themes
    units, so each theme weighs by its number of answers and chance agreement comes from the
    pooled share of "present" ratings.
    """
    theme_ids = _ids(themes)
    ratings = presence(frame=frame, coders=coders, themes=theme_ids)
    n_answers = ratings.index.get_level_values("answer").nunique()
    rows = [
        {"theme": theme, "n_answers": n_answers, **_statistics(ratings.xs(theme, level="theme").to_numpy())}
        for theme in theme_ids
    ]
    rows.append({"theme": pandas.NA, "n_answers": n_answers, **_statistics(ratings.to_numpy())})
    return pandas.DataFrame(rows, columns=AGREEMENT_COLUMNS).astype({"theme": "Int64"})


def disagreements(
    *, frame: pandas.DataFrame, coders: Sequence[Model | int], themes: Iterable[Model | int]
) -> pandas.DataFrame:
    """The answers (coded by every one of ``coders``) on which the coders differ about at least
    one of ``themes``, for settling them side by side: one row per answer with its ``answer`` id,
    ``question`` code, ``differing`` (a tuple of the ids of the themes some coder marked present
    and another did not) and one column per coder, labelled with the coder's id, holding the tuple
    of theme ids present for that coder. Theme ids keep the order of ``themes``; rows go by answer."""
    ratings = presence(frame=frame, coders=coders, themes=themes)
    differs = ratings.nunique(axis=1).gt(1)
    settle = differs.groupby(level="answer").any()
    units = ratings.assign(differing=differs).loc[settle.index[settle]]
    long = units.reset_index()

    def themes_where(column) -> pandas.Series:
        themes_marked = long["theme"].where(long[column].to_numpy(dtype=bool))
        return themes_marked.groupby(long["answer"]).agg(
            lambda marked: tuple(int(t) for t in marked.dropna())
        )

    table = pandas.DataFrame({column: themes_where(column) for column in ["differing", *ratings.columns]})
    table.index.name = "answer"
    questions = frame.drop_duplicates("answer").set_index("answer")["question"]
    table.insert(0, "question", questions.reindex(table.index).to_numpy())
    return table.reset_index()
