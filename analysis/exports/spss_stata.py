"""SPSS (.sav) and Stata (.dta) files of the wide table, with variable and value labels.

Coding (``docs/exports.md`` has the full table): numbers stay numbers, Likert points keep their
labels; single-choice codes become 1, 2, … in choice order, labelled with the choice labels;
multiple-choice option columns are 0 "not chosen" / 1 "chosen"; ranks stay numbers; the group
columns and country questions are integers with fixed codings (``labels.group_codings``); free
text, other-text, respondent and wave stay strings (neutralised like every export's text).

Names and labels are made legal for each format (``SAV``, ``DTA``); a variable whose name had to
change carries its wide-table name at the start of its label, and the .sav file lists every
renaming in its notes.
"""

import re
import textwrap
from dataclasses import dataclass
from os import PathLike

import pandas
import pyreadstat

from surveys.models import Question, Survey

from ..load import GROUP_COLUMNS
from .cells import fit_label, neutralised
from .labels import Coding, coding, group_codings, likert_labels
from .wide import CODE, NUMBER, OPTION, OTHER, RANK, WideTable, wide_frame

HEAD_LABELS = {
    "respondent": "Respondent (pseudonym)",
    "wave": "Wave",
    "country": "Country (when submitted)",
    "un_region": "UN M49 region",
    "un_subregion": "UN M49 sub-region",
    "north_south": "Global North/South",
    "sector": "Sector",
    "mode": "Mode: self-completed or entered by an interviewer",
}
OPTION_LABELS = {0: "not chosen", 1: "chosen"}
MEASURES = {NUMBER: "scale", CODE: "nominal", OPTION: "nominal", RANK: "ordinal"}


@dataclass(frozen=True)
class StatsFormat:
    """What one file format allows: name length and reserved words, and the longest variable
    label, value label and file label in characters and in UTF-8 bytes."""

    extension: str
    max_name: int
    reserved: re.Pattern
    label: tuple[int, int]
    value_label: tuple[int, int]
    file_label: tuple[int, int]


SAV = StatsFormat(
    extension="sav",
    max_name=64,
    reserved=re.compile(r"all|and|by|eq|ge|gt|le|lt|ne|not|or|to|with", re.IGNORECASE),
    label=(256, 256),
    value_label=(120, 120),
    file_label=(64, 64),
)
DTA = StatsFormat(
    extension="dta",
    # Stata allows 32 characters, but pyreadstat names each value-label set after its variable
    # followed by a running number, and that name has the same limit: 28 leaves room for 9 999.
    max_name=28,
    reserved=re.compile(
        r"_all|_b|byte|_coef|_cons|double|float|if|in|int|long|_n|_pi|_pred|_rc|_skip|strl|str\d+|using|with",
        re.IGNORECASE,
    ),
    label=(80, 320),
    value_label=(32000, 32000),
    file_label=(80, 320),
)


def _cut(name: str, limit: int) -> str:
    """``name`` in at most ``limit`` characters. A ``question__option`` name is cut in both parts,
    the option keeping at most half the room, so a question's option columns stay distinct."""
    if len(name) <= limit:
        return name
    question, separator, option = name.partition("__")
    if not separator:
        return name[:limit].rstrip("_")
    option = option[: min(len(option), (limit - 2) // 2)].rstrip("_")
    return question[: limit - 2 - len(option)].rstrip("_") + separator + option


def _legal(name: str, fmt: StatsFormat) -> str:
    candidate = re.sub(r"[^a-z0-9_]", "_", name.lower())
    if not candidate[:1].isalpha():
        candidate = "v" + candidate
    if fmt.reserved.fullmatch(candidate):
        candidate = "v_" + candidate
    return _cut(candidate, fmt.max_name)


def legal_names(names: list[str], fmt: StatsFormat) -> dict[str, str]:
    """Each of ``names`` → a legal, unique variable name in ``fmt``: "-" and other characters
    become "_", a name not starting with a letter gets a leading "v", a reserved word a leading
    "v_", and the name is cut to ``fmt.max_name`` characters (``_cut``). Legal names are kept as
    they are; a name taken already gets "_2", "_3", … (cut to fit)."""
    taken = {name for name in names if _legal(name, fmt) == name}
    renamed = {}
    for name in names:
        if name in taken:
            continue
        base = candidate = _legal(name, fmt)
        number = 2
        while candidate in taken:
            suffix = f"_{number}"
            candidate = base[: fmt.max_name - len(suffix)] + suffix
            number += 1
        renamed[name] = candidate
        taken.add(candidate)
    return {name: renamed.get(name, name) for name in names}


def _fitted(labels: dict[int, str], fmt: StatsFormat) -> dict[int, str]:
    """Value labels cut to ``fmt``'s limits; one that a cut makes repeat keeps its number."""
    chars, size = fmt.value_label
    fitted = {number: fit_label(label, max_chars=chars, max_bytes=size) for number, label in labels.items()}
    repeated = pandas.Series(fitted).duplicated(keep=False)
    return {
        number: fit_label(labels[number], suffix=f" ({number})", max_chars=chars, max_bytes=size)
        if repeated[number]
        else label
        for number, label in fitted.items()
    }


@dataclass(frozen=True)
class StatsFile:
    """The recoded frame (legal names) and its labels, measures and renamings, ready to write."""

    frame: pandas.DataFrame
    variable_labels: dict[str, str]
    value_labels: dict[str, dict[int, str]]
    measures: dict[str, str]
    renamed: dict[str, str]


def stats_file(*, survey: Survey, table: WideTable, fmt: StatsFormat) -> StatsFile:
    """The wide ``table`` of ``survey`` coded for SPSS or Stata (see the module docstring)."""
    frame = table.frame.copy()
    by_name = {column.name: column for column in table.columns}
    country_questions = [c.name for c in table.columns if c.type == Question.Type.COUNTRY and c.kind == CODE]
    observed = {column: frame[column] for column in GROUP_COLUMNS}
    observed["country"] = pandas.concat([frame[name] for name in ["country", *country_questions]])
    codings: dict[str, Coding] = group_codings(language=survey.default_language, observed=observed)
    codings.update({name: codings["country"] for name in country_questions})
    single = {
        c.question: c.name for c in table.columns if c.type == Question.Type.SINGLE_CHOICE and c.kind == CODE
    }
    for question, choices in table.choices.sort_values("position").groupby("question"):
        if question in single:
            codings[single[question]] = coding(zip(choices["code"], choices["label"], strict=True))
    value_labels = {name: code.labels for name, code in codings.items()}
    for name, code in codings.items():
        frame[name] = frame[name].map(code.numbers).astype(float)
    likert = likert_labels(survey=survey)
    for column in table.columns:
        if column.kind == NUMBER and column.question in likert:
            value_labels[column.name] = likert[column.question]
        elif column.kind == OPTION:
            value_labels[column.name] = OPTION_LABELS

    names = legal_names(list(frame.columns), fmt)
    texts = dict(zip(table.questions["code"], table.questions["text"], strict=True))
    suffixes = {OPTION: " [{label}]", RANK: " [rank of {label}]", OTHER: " [other, please specify]"}
    variable_labels = {}
    for name in frame.columns:
        column = by_name.get(name)
        body = texts[column.question] if column else HEAD_LABELS[name]
        suffix = suffixes.get(column.kind, "").format(label=column.label) if column else ""
        prefix = f"{name}: " if names[name] != name else ""
        chars, size = fmt.label
        variable_labels[names[name]] = fit_label(
            body, prefix=prefix, suffix=suffix, max_chars=chars, max_bytes=size
        )
    measures = {names[c.name]: MEASURES[c.kind] for c in table.columns if c.kind in MEASURES}
    measures.update({names[c.name]: "ordinal" for c in table.columns if c.type == Question.Type.LIKERT})
    measures.update({names[name]: "nominal" for name in codings})
    return StatsFile(
        frame=neutralised(frame).rename(columns=names),
        variable_labels=variable_labels,
        value_labels={names[name]: _fitted(labels, fmt) for name, labels in value_labels.items()},
        measures=measures,
        renamed={new: old for old, new in names.items() if new != old},
    )


def variables_frame(table: WideTable) -> pandas.DataFrame:
    """One row per column of the wide ``table``: its ``variable`` name, ``question``, ``type``,
    ``kind``, ``choice``, and its names in the SPSS (``sav_name``) and Stata (``dta_name``) files."""
    names = list(table.frame.columns)
    by_name = {column.name: column for column in table.columns}
    frame = pandas.DataFrame(
        {
            "variable": names,
            "question": [by_name[name].question if name in by_name else "" for name in names],
            "type": [by_name[name].type if name in by_name else "" for name in names],
            "kind": [by_name[name].kind if name in by_name else "group" for name in names],
            "choice": [by_name[name].choice if name in by_name else "" for name in names],
        }
    )
    for fmt in (SAV, DTA):
        frame[f"{fmt.extension}_name"] = frame["variable"].map(legal_names(names, fmt))
    return frame


def _file_label(survey: Survey, fmt: StatsFormat) -> str:
    chars, size = fmt.file_label
    return fit_label(f"{survey.slug} ({survey.wave_label})", max_chars=chars, max_bytes=size)


def write_sav(*, survey: Survey, path: str | PathLike) -> None:
    """``survey``'s wide table as an SPSS file at ``path``; renamings listed in the file's notes."""
    coded = stats_file(survey=survey, table=wide_frame(survey=survey), fmt=SAV)
    notes = ["Roundtable export. Respondents are pseudonyms; the file holds no personal data."]
    if coded.renamed:
        notes.append("Renamed to legal SPSS names (SPSS name = wide-table name):")
        # Names are ASCII; a note line holds at most 80 bytes.
        notes += [
            line
            for new, old in coded.renamed.items()
            for line in textwrap.wrap(f"{new} = {old}", 80, break_on_hyphens=False)
        ]
    pyreadstat.write_sav(
        coded.frame,
        path,
        file_label=_file_label(survey, SAV),
        column_labels=coded.variable_labels,
        variable_value_labels=coded.value_labels,
        variable_measure=coded.measures,
        note=notes,
    )


def write_dta(*, survey: Survey, path: str | PathLike) -> None:
    """``survey``'s wide table as a Stata 14+ file (format 118, UTF-8) at ``path``."""
    coded = stats_file(survey=survey, table=wide_frame(survey=survey), fmt=DTA)
    pyreadstat.write_dta(
        coded.frame,
        path,
        file_label=_file_label(survey, DTA),
        column_labels=coded.variable_labels,
        variable_value_labels=coded.value_labels,
        version=15,
    )
