"""The consensus, divergence and trend tables as published: every number that the item tables
withhold is withheld here too, and no finding names a group whose size is withheld."""

import numpy
import pandas

from ..findings import Finding
from ..small_cells import Rules, number_columns, withhold
from ..stats import ConsensusCriteria, consensus
from ..stats.scales import NUMBER


def naming_shown_groups(findings: list[Finding], respondents: dict[str, pandas.DataFrame]) -> list[Finding]:
    """Findings minus those naming a group whose size is withheld: a small group, or the
    complement withheld beside it. Otherwise a finding's numbers would undo the suppression."""
    kept = []
    for finding in findings:
        grouping = finding.numbers.get("grouping")
        if finding.kind == "divergence" and grouping in respondents:
            table = respondents[grouping]
            hidden = set(table.loc[table["suppressed"], grouping].astype(str))
            named = {str(finding.numbers.get("group_high")), str(finding.numbers.get("group_low"))}
            if named & hidden:
                continue
        kept.append(finding)
    return kept


CONSENSUS_COLUMNS = [
    "question", "type", "n", "median", "iqr", "iqr_max", "iqr_met", "direction", "share", "share_met",
    "consensus", "n_agree", "share_agree", "n_disagree", "share_disagree", "suppressed",
]  # fmt: skip


def published_consensus(
    raw: pandas.DataFrame, shown: pandas.DataFrame, criteria: ConsensusCriteria
) -> pandas.DataFrame:
    """``stats.consensus`` of the overall scale summary ``raw``, with the numbers withheld in
    ``shown`` (the same table suppressed) withheld, and the share in the direction of agreement
    withheld with its count."""
    table = consensus(raw, criteria)
    for column in (
        "n",
        "median",
        "iqr",
        "n_agree",
        "share_agree",
        "n_disagree",
        "share_disagree",
        "suppressed",
    ):
        table[column] = shown[column].to_numpy()
    whole = table["n"].isna().to_numpy()
    side = table["n_agree"].where(table["direction"].ne("disagree"), table["n_disagree"])
    table["share"] = withhold(table["share"], side.isna().to_numpy())
    for column in ("iqr_met", "share_met", "consensus", "direction"):
        table[column] = withhold(table[column], whole)
    return table[CONSENSUS_COLUMNS].reset_index(drop=True)


# Per group named in a divergence row: (its n column, its agreement columns).
DIVERGENCE_ROLES = {
    "share_group_high": ("n_high", ["agree_high", "share_high", "share_difference"]),
    "share_group_low": ("n_low", ["agree_low", "share_low", "share_difference"]),
    "delta_higher": ("n_higher", []),
    "delta_lower": ("n_lower", []),
}


def published_divergence(
    raw: pandas.DataFrame, one_way: dict[str, list[pandas.DataFrame]]
) -> pandas.DataFrame:
    """``stats.divergence`` with a group's numbers withheld wherever its item's breakdown withholds
    them (``one_way``: grouping → its suppressed scale and number tables), and the total ``n``
    withheld when any group tested is."""
    flags = pandas.concat(
        [
            table[["question", grouping]]
            .rename(columns={grouping: "group"})
            .assign(
                grouping=grouping,
                n_hidden=table["n"].isna().to_numpy(),
                agree_hidden=(table["n_agree"] if "n_agree" in table else table["n"]).isna().to_numpy(),
            )
            for grouping, tables in one_way.items()
            for table in tables
        ],
        ignore_index=True,
    )
    table = raw.copy().reset_index(drop=True)
    withheld = numpy.zeros(len(table), dtype=bool)
    for role, (n_column, agreement) in DIVERGENCE_ROLES.items():
        found = table[["question", "grouping", role]].rename(columns={role: "group"})
        found = found.merge(flags, on=["question", "grouping", "group"], how="left")
        n_hidden = found["n_hidden"].fillna(False).to_numpy(dtype=bool)
        agree_hidden = n_hidden | found["agree_hidden"].fillna(False).to_numpy(dtype=bool)
        table[n_column] = withhold(table[n_column], n_hidden)
        for column in agreement:
            table[column] = withhold(table[column], agree_hidden)
        withheld |= n_hidden | (agree_hidden & bool(agreement))
    tested = table[["question", "grouping", "groups"]].assign(row=numpy.arange(len(table))).explode("groups")
    tested = tested.rename(columns={"groups": "group"}).merge(
        flags, on=["question", "grouping", "group"], how="left"
    )
    hidden_rows = tested["row"].to_numpy()[tested["n_hidden"].fillna(False).to_numpy(dtype=bool)]
    total_hidden = numpy.isin(numpy.arange(len(table)), hidden_rows)
    table["n"] = withhold(table["n"], total_hidden)
    table["groups"] = table["groups"].map(list)
    table["suppressed"] = withheld | total_hidden
    return table


TREND_SHARE_COLUMNS = [
    "agree_prev", "agree_curr", "share_agree_prev", "share_agree_curr", "share_change", "share_p_value",
    "share_q_value",
]  # fmt: skip


def published_trends(raw: pandas.DataFrame, current: pandas.DataFrame, rules: Rules) -> pandas.DataFrame:
    """``stats.wave_trends`` with agreement withheld when those agreeing or the rest are a small
    cell in either wave (or withheld in the current overall tables ``current``), and the whole
    row when either wave has fewer than k answers."""
    rows = raw[["question"]].assign(row=numpy.arange(len(raw)))
    cells = pandas.concat(
        [
            rows.assign(wave=wave, part=part, count=count.astype(float).to_numpy())
            for wave in ("prev", "curr")
            for part, count in (
                ("agree", raw[f"agree_{wave}"]),
                ("rest", raw[f"n_{wave}"] - raw[f"agree_{wave}"]),
            )
        ],
        ignore_index=True,
    )
    checked = rules.hide(
        cells, "count", groups=[], cell=[], value_columns=["count"], within=[["row", "wave"]]
    )
    in_cells = numpy.isin(rows["row"], checked.loc[checked["suppressed"], "row"])
    now = current.drop_duplicates("question").set_index("question")
    whole = (
        raw["n_prev"].lt(rules.k).to_numpy()
        | raw["n_curr"].lt(rules.k).to_numpy()
        | raw["question"].map(now["n"].isna()).fillna(True).to_numpy(dtype=bool)
        | rules.everything
    )
    agree_withheld = raw["question"].map(now["n_agree"].isna()).fillna(False).to_numpy(dtype=bool)
    share_hidden = whole | in_cells | (agree_withheld & raw["type"].ne(NUMBER).to_numpy())
    table = raw.copy()
    for column in TREND_SHARE_COLUMNS:
        table[column] = withhold(table[column], share_hidden)
    for column in [*number_columns(table), "significant"]:
        table[column] = withhold(table[column], whole)
    table["suppressed"] = share_hidden | whole
    return table.reset_index(drop=True)
