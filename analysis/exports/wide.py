"""The wide table: one row per submitted response, one column per question (or per option).

Columns: ``HEAD_COLUMNS`` (respondent, wave, groups), then each question's columns in
questionnaire order (``WideColumn``):

- likert, scale_0_10, number → ``code``: the number;
- single_choice → ``code``: the choice code; country → ``code``: the country code;
- short_text, long_text → ``code``: the text;
- multiple_choice → ``code__option`` per choice: 1 ticked, 0 not ticked, blank when the question
  was not answered (skipped or hidden);
- ranking → ``code__item`` per choice: its rank 1, 2, …, blank when not ranked;
- a question with an "other, please specify" choice → ``code__other__text``: the text typed.

Choice codes cannot contain "__", so option columns never collide with the other-text column. A
question whose code is a head column's name (a country question coded ``country``) gets
``code__value``. A code that was answered but is no longer a choice keeps its column, after the
current choices. Built with pandas pivots from the answers, never row by row.
"""

from collections.abc import Iterator
from dataclasses import dataclass

import pandas

from surveys.models import Question, Survey

from ..load import GROUP_COLUMNS, choices_frame, questions_frame, respondents_frame
from .answers import answers_with_text_frame
from .cells import csv_lines

HEAD_COLUMNS = ["respondent", "wave", *GROUP_COLUMNS]
SEPARATOR = "__"
OTHER_TEXT = "__other__text"
VALUE = "__value"
CHUNK_ROWS = 1000

# Kinds of column: what a column holds.
NUMBER, CODE, TEXT, OPTION, RANK, OTHER = "number", "code", "text", "option", "rank", "other"
KIND_OF_TYPE = {
    **dict.fromkeys(Question.NUMERIC_TYPES, NUMBER),
    Question.Type.SINGLE_CHOICE: CODE,
    Question.Type.COUNTRY: CODE,
    Question.Type.SHORT_TEXT: TEXT,
    Question.Type.LONG_TEXT: TEXT,
    Question.Type.MULTIPLE_CHOICE: OPTION,
    Question.Type.RANKING: RANK,
}
LISTED_TYPES = (Question.Type.MULTIPLE_CHOICE, Question.Type.RANKING)


@dataclass(frozen=True)
class WideColumn:
    """One question column: its ``name``, the ``question`` code and ``type``, its ``kind`` and, for
    option and rank columns, the ``choice`` code and its ``label``."""

    name: str
    question: str
    type: str
    kind: str
    choice: str = ""
    label: str = ""


@dataclass(frozen=True)
class WideTable:
    """The wide ``frame``, its question ``columns``, the ``questions`` (``load.questions_frame``)
    and the ``choices`` (``load.choices_frame`` plus answered codes that are no longer choices)."""

    frame: pandas.DataFrame
    columns: list[WideColumn]
    questions: pandas.DataFrame
    choices: pandas.DataFrame


def bare_name(code: str) -> str:
    return code + VALUE if code in HEAD_COLUMNS else code


def _listed(answers: pandas.DataFrame) -> pandas.DataFrame:
    """One row per ticked or ranked code: respondent, question, type, code, rank (1, 2, …)."""
    listed = answers.loc[answers["type"].isin(LISTED_TYPES), ["respondent", "question", "type", "codes"]]
    listed = listed.explode("codes").dropna(subset=["codes"]).rename(columns={"codes": "code"})
    listed = listed.astype({"code": str}).drop_duplicates(["respondent", "question", "code"])
    return listed.assign(rank=listed.groupby(["respondent", "question"]).cumcount() + 1)


def _with_answered_codes(
    choices: pandas.DataFrame, answers: pandas.DataFrame, listed: pandas.DataFrame
) -> pandas.DataFrame:
    """``choices`` plus the codes found in answers that are no longer choices, after the rest."""
    single = answers.loc[answers["type"].eq(Question.Type.SINGLE_CHOICE), ["question", "text"]]
    used = pandas.concat([single.rename(columns={"text": "code"}), listed[["question", "code"]]])
    used = used.drop_duplicates().sort_values(["question", "code"])
    stale = used.merge(choices[["question", "code"]], how="left", indicator=True)
    stale = stale.loc[stale["_merge"].eq("left_only"), ["question", "code"]]
    last = choices.groupby("question")["position"].max()
    stale = stale.assign(
        label=stale["code"],
        position=stale["question"].map(last).fillna(0).astype(int) + stale.groupby("question").cumcount() + 1,
        is_other=False,
        is_exclusive=False,
    )
    return pandas.concat([choices, stale], ignore_index=True)


def wide_columns(
    questions: pandas.DataFrame, choices: pandas.DataFrame, with_other_text: set[str]
) -> list[WideColumn]:
    """The question columns, in questionnaire order, for ``questions`` and their ``choices``; an
    other-text column for questions with an "other" choice or in ``with_other_text``."""
    columns = []
    by_question = dict(tuple(choices.groupby("question", sort=False)))
    for code, kind in zip(questions["code"], questions["type"], strict=True):
        own = by_question.get(code, choices.iloc[:0]).sort_values("position")
        if kind in LISTED_TYPES:
            columns += [
                WideColumn(code + SEPARATOR + choice, code, kind, KIND_OF_TYPE[kind], choice, label)
                for choice, label in zip(own["code"], own["label"], strict=True)
            ]
        else:
            columns.append(WideColumn(bare_name(code), code, kind, KIND_OF_TYPE[kind]))
        if own["is_other"].any() or code in with_other_text:
            columns.append(WideColumn(code + OTHER_TEXT, code, kind, OTHER))
    return columns


def _pivot(rows: pandas.DataFrame, column: pandas.Series, values: str) -> pandas.DataFrame:
    return rows.assign(column=column).pivot(index="respondent", columns="column", values=values)


def wide_frame(*, survey: Survey) -> WideTable:
    """The wide table of ``survey``'s submitted responses (see the module docstring), in four
    queries: respondents, questions, choices, answers. Respondents who answered nothing have a row.
    Dtypes: numbers float, option flags and ranks Int64, codes and texts str ("" when none)."""
    respondents = respondents_frame(surveys=survey)[HEAD_COLUMNS]
    questions = questions_frame(survey=survey)
    answers = answers_with_text_frame(survey=survey)
    listed = _listed(answers)
    choices = _with_answered_codes(choices_frame(survey=survey), answers, listed)
    others = answers[answers["other_text"].ne("")]
    columns = wide_columns(questions, choices, set(others["question"]))

    numbers = answers[answers["type"].isin(Question.NUMERIC_TYPES)]
    texts = answers[answers["type"].isin([kind for kind, of in KIND_OF_TYPE.items() if of in (CODE, TEXT)])]
    answered = answers.loc[answers["type"].eq(Question.Type.MULTIPLE_CHOICE)].assign(answered=True)
    parts = [
        _pivot(numbers, numbers["question"].map(bare_name), "number"),
        _pivot(texts, texts["question"].map(bare_name), "text"),
        _pivot(others, others["question"] + OTHER_TEXT, "other_text"),
        _pivot(listed, listed["question"] + SEPARATOR + listed["code"], "rank"),
    ]
    index = pandas.Index(respondents["respondent"], name="respondent")
    values = pandas.concat(parts, axis=1).reindex(index=index, columns=[column.name for column in columns])
    answered = _pivot(answered, answered["question"], "answered").reindex(index=index).notna()
    for column in columns:
        if column.kind == OPTION:
            flag = values[column.name].notna().astype(int)
            is_answered = answered.get(column.question, pandas.Series(False, index=index))
            values[column.name] = flag.where(is_answered).astype("Int64")
        elif column.kind == RANK:
            values[column.name] = values[column.name].astype("Int64")
        elif column.kind == NUMBER:
            values[column.name] = values[column.name].astype(float)
        else:
            values[column.name] = values[column.name].astype(object).fillna("").astype(str)
    frame = pandas.concat([respondents.set_index("respondent"), values], axis=1).reset_index()
    return WideTable(frame=frame, columns=columns, questions=questions, choices=choices)


def wide_csv_lines(*, survey: Survey, chunk_rows: int = CHUNK_ROWS) -> Iterator[str]:
    """The wide CSV of ``survey`` as text (UTF-8 BOM first), ``chunk_rows`` rows per piece."""
    yield from csv_lines(wide_frame(survey=survey).frame, chunk_rows=chunk_rows)
