"""Raw-data downloads: long and wide CSV, Excel, SPSS and Stata files of the submitted responses.

They carry pseudonyms and group snapshots but never personal data or drafts, neutralise text a
spreadsheet would run as a formula while keeping numbers numeric, and are never truncated.
"""

import csv
import functools
import inspect
import io
import json
import re
import tracemalloc

import numpy
import openpyxl
import pandas
import pyreadstat
import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_countries import countries

from analysis.exports import (
    FILE_FORMATS,
    HEAD_COLUMNS,
    LONG_COLUMNS,
    TEXT_FORMATS,
    long_csv_lines,
    wide_csv_lines,
    wide_frame,
    write_xlsx,
)
from analysis.exports.cells import csv_cell, fit_label
from analysis.exports.long_csv import CHUNK_SIZE, HEAD_SEPARATOR, _AnswerRows, _lines_by_rows
from analysis.exports.spss_stata import DTA, SAV, legal_names
from analysis.exports.xlsx import NO_SUMMARY, SHEETS
from analysis.load import GROUP_COLUMNS, respondent_pseudonym
from surveys.conditions import AnswerValue
from surveys.geography import country_groups
from surveys.models import Answer, Choice, Expert, Invitation, Question, Response, Sector, code_validator
from surveys.spreadsheet_safety import FORMULA_TRIGGERS
from tests import factories
from tests.factories import ExpertFactory, every_type_survey

EVIL_NAME = '=HYPERLINK("http://evil","x")'
COMMAND = "=cmd|'/C calc'!A0"
FULL = {
    "agree": AnswerValue(number=5),
    "why_agree": AnswerValue(text="Fragmentation hurts everyone."),
    "org_kind": AnswerValue(text="public"),
    "tools": AnswerValue(codes=["law", "treaty"]),
    "priorities": AnswerValue(codes=["voice", "access"]),
    "outlook": AnswerValue(number=7),
    "years": AnswerValue(number=12.5),
    "title": AnswerValue(text="Professor"),
    "home": AnswerValue(text="KE"),
}
HOSTILE = {
    **FULL,
    "why_agree": AnswerValue(text="-1 is what I would give it"),
    "org_kind": AnswerValue(text="other_kind", other_text="+a think tank"),
    "tools": AnswerValue(codes=["law", "other"], other_text="@SUM(1+1)"),
    "years": AnswerValue(number=-3),
    "title": AnswerValue(text=COMMAND),
    "org_detail": AnswerValue(text="\tTabbed"),
}
MINIMAL = {"agree": AnswerValue(number=2)}
DRAFT_TEXT = "Only in a draft, never exported"


take_part = functools.partial(factories.take_part, attribution="named")


@pytest.fixture
def survey(db):
    survey = every_type_survey(slug="governance-2026")
    Question.objects.filter(survey=survey, code="years").update(min_value=-10)  # -3 is a valid answer
    return survey


@pytest.fixture
def experts(db):
    return [
        ExpertFactory(name=EVIL_NAME, email="evil@attacker.example", organisation="Evil Corp Ltd",
                      country="DE", sector=Sector.INDUSTRY),
        ExpertFactory(name="Ana Lima", email="ana.lima@fiocruz.example", organisation="Fiocruz Institute",
                      country="BR"),
        ExpertFactory(name="Wanjiru Kamau", email="wanjiru@kemri.example", organisation="KEMRI Nairobi",
                      country="KE", sector=Sector.GOVERNMENT),
        ExpertFactory(name="Drafty McDraft", email="drafty@example.net", organisation="Draft Works"),
    ]  # fmt: skip


@pytest.fixture
def taken(survey, experts):
    """Three submissions — hostile text and a negative number, a full one, a minimal one — and a draft."""
    responses = [
        take_part(survey, HOSTILE, expert=experts[0]),
        take_part(survey, FULL, expert=experts[1]),
        take_part(survey, MINIMAL, expert=experts[2]),
    ]
    draft = take_part(
        survey, {**FULL, "title": AnswerValue(text=DRAFT_TEXT)}, expert=experts[3], submit=False
    )
    return responses, draft


def read_long(survey) -> pandas.DataFrame:
    text = "".join(long_csv_lines(survey=survey))
    assert text.startswith("\ufeff")
    return pandas.read_csv(io.StringIO(text[1:]), keep_default_na=False, na_values=[""])


def read_wide(survey) -> pandas.DataFrame:
    text = "".join(wide_csv_lines(survey=survey))
    assert text.startswith("\ufeff")
    return pandas.read_csv(io.StringIO(text[1:]), keep_default_na=False, na_values=[""])


def long_row_count(survey) -> int:
    """Rows the long CSV must have: one per answer, one per code of a multiple choice or ranking."""
    answers = Answer.objects.filter(response__survey=survey, response__status=Response.Status.SUBMITTED)
    return sum(
        max(len(codes), 1) if kind in ("multiple_choice", "ranking") else 1
        for kind, codes in answers.values_list("question__type", "codes")
    )


def rows_by_both_writers(survey, chunk_size: int = CHUNK_SIZE) -> tuple[list[list[str]], list[list[str]]]:
    """The long CSV's rows, header left out, as ``long_csv_lines`` streams them (from COPY on
    PostgreSQL, from Python's csv module on SQLite) and as Python's writer gives them."""
    streamed = "".join(long_csv_lines(survey=survey, chunk_size=chunk_size)).removeprefix("\ufeff")
    by_python = "".join(_lines_by_rows(survey, _AnswerRows(survey), chunk_size=3))
    return list(csv.reader(io.StringIO(streamed)))[1:], list(csv.reader(io.StringIO(by_python)))


def reads(queries: CaptureQueriesContext) -> list[dict]:
    """The queries that read data. Savepoints are left out: the PostgreSQL long CSV runs its COPY
    in one, so a reader who stops halfway never breaks the connection's transaction."""
    return [query for query in queries if "SAVEPOINT" not in query["sql"]]


def written(tmp_path, survey, fmt: str):
    path = tmp_path / f"export.{fmt}"
    FILE_FORMATS[fmt](survey=survey, path=path)
    return path


def all_cells(path) -> list:
    workbook = openpyxl.load_workbook(path)
    return [cell for sheet in workbook for row in sheet.iter_rows(values_only=True) for cell in row]


# The long CSV


def test_long_csv_has_one_row_per_answer_and_per_ticked_or_ranked_code(taken, survey):
    frame = read_long(survey)
    assert list(frame.columns) == LONG_COLUMNS
    # answers, plus one row for each second code of tools and priorities; hostile also has org_detail
    assert len(frame) == long_row_count(survey) == (10 + 2) + (9 + 2) + 1
    assert frame["respondent"].nunique() == 3


def test_long_csv_codes_sit_beside_their_labels_and_ranks(taken, survey):
    frame = read_long(survey)
    full = frame[frame["respondent"].eq(frame["respondent"].unique()[1])].set_index("question")
    assert full.loc["priorities", ["code", "rank", "label"]].values.tolist() == [
        ["voice", 1, "Voice"],
        ["access", 2, "Access"],
    ]
    assert full.loc["tools", "code"].tolist() == ["law", "treaty"]
    assert full.loc["tools", "rank"].isna().all()
    assert full.loc["agree", ["number", "label"]].tolist() == [5, "Strongly agree"]
    assert full.loc["org_kind", ["code", "label"]].tolist() == ["public", "Public"]
    assert full.loc["home", ["code", "label"]].tolist() == ["KE", "Kenya"]
    assert full.loc["title", "text"] == "Professor"
    assert full.loc["agree", ["wave", "country", "un_region", "north_south", "sector", "mode"]].tolist() == [
        2026, "BR", "Americas", "south", "academia", "self",
    ]  # fmt: skip


def test_long_csv_neutralises_formulas_but_keeps_negative_numbers_numeric(taken, survey):
    frame = read_long(survey)
    hostile = frame[frame["respondent"].eq(frame["respondent"].iloc[0])].set_index("question")
    assert hostile.loc["title", "text"] == "'" + COMMAND
    assert hostile.loc["why_agree", "text"] == "'-1 is what I would give it"
    assert hostile.loc["org_detail", "text"] == "'\tTabbed"
    assert hostile.loc["org_kind", "other_text"] == "'+a think tank"
    assert hostile.set_index("code", append=True).loc[("tools", "other"), "other_text"] == "'@SUM(1+1)"
    assert hostile.set_index("code", append=True).loc[("tools", "law"), "other_text"] != "'@SUM(1+1)"
    assert frame["number"].dtype == float
    assert hostile.loc["years", "number"] == -3


def test_long_csv_is_a_generator_reading_the_answers_in_chunks(taken, survey):
    lines = long_csv_lines(survey=survey, chunk_size=2)
    assert inspect.isgenerator(lines)
    with CaptureQueriesContext(connection) as queries:
        next(lines)
        assert len(queries) == 0  # the header costs nothing
        first = next(lines)
    # choices, Likert labels, and the answers' one query (all its chunks come from one cursor)
    assert len(reads(queries)) <= 3
    assert len(list(csv.reader(io.StringIO(first + "".join(lines))))) == long_row_count(survey)


def test_the_database_writer_gives_the_same_cells_as_python(taken, survey):
    # On PostgreSQL the rows come from COPY (_lines_by_copy); on SQLite from Python's csv module.
    streamed_rows, python_rows = rows_by_both_writers(survey, chunk_size=3)
    assert streamed_rows == python_rows
    assert len(streamed_rows) == long_row_count(survey)


def test_a_group_holding_a_comma_or_a_quote_reads_the_same_from_both_writers(taken, survey):
    # The database writer hands the groups to Python as one cell per row (long_csv.ANSWERS' head),
    # which COPY quotes when a group holds a comma or a quote; Python opens each response's rows.
    responses, _draft = taken
    Response.objects.filter(pk=responses[0].pk).update(sector='think tank, "independent"')
    Response.objects.filter(pk=responses[1].pk).update(mode="")
    streamed_rows, python_rows = rows_by_both_writers(survey)
    assert streamed_rows == python_rows
    sector, mode = LONG_COLUMNS.index("sector"), LONG_COLUMNS.index("mode")
    assert {row[sector] for row in streamed_rows} >= {'think tank, "independent"'}
    assert "" in {row[mode] for row in streamed_rows}


def test_a_group_holding_the_separator_stops_the_database_writer_by_name(taken, survey):
    # Only a write around the models can put it there (the vocabularies never hold it): the
    # database writer could not tell the groups apart, so it stops and names the response rather
    # than shift the cells; Python's writer has nothing to split.
    responses, _draft = taken
    Response.objects.filter(pk=responses[0].pk).update(sector=f"think{HEAD_SEPARATOR}tank")
    if connection.vendor == "postgresql":
        with pytest.raises(ValueError, match=f"Response {responses[0].pk}: a group holds"):
            "".join(long_csv_lines(survey=survey))
    else:
        assert f"think{HEAD_SEPARATOR}tank" in set(read_long(survey)["sector"])


def test_a_hostile_wave_label_is_neutralised_by_both_writers(taken, survey):
    survey.wave_label = "=2026"
    survey.save(update_fields=["wave_label"])
    assert set(read_long(survey)["wave"]) == {"'=2026"}
    by_python = "".join(_lines_by_rows(survey, _AnswerRows(survey), chunk_size=3))
    assert {row[1] for row in csv.reader(io.StringIO(by_python))} == {"'=2026"}


def test_hostile_labels_are_neutralised_the_same_by_both_writers(taken, survey):
    # The database writer neutralises each label once, before the COPY, not row by row.
    Choice.objects.filter(question__survey=survey, question__code="tools", code="law").update(
        label={"en": '=HYPERLINK("http://evil.example")'}
    )
    Question.objects.filter(survey=survey, code="agree").update(
        scale_labels=[{"en": label} for label in ["-no", "+no", "@meh", "yes", "\tyes!"]]
    )
    frame = read_long(survey)
    assert set(frame.loc[frame["code"].eq("law"), "label"]) == {'\'=HYPERLINK("http://evil.example")'}
    agree = frame.loc[frame["question"].eq("agree")]
    assert dict(zip(agree["number"], agree["label"], strict=True)) == {2: "'+no", 5: "'\tyes!"}
    streamed_rows, python_rows = rows_by_both_writers(survey)
    assert streamed_rows == python_rows


def test_closed_vocabularies_never_start_a_formula():
    # The database writer leaves these cells as they are (long_csv.NEUTRALISED_COLUMNS): the
    # group snapshots, question codes and types only ever hold values of these vocabularies.
    codes = [code for code, _name in countries]
    groups = [country_groups(code) for code in codes]
    vocabularies = {
        "country": codes,
        "un_region": [group.region for group in groups],
        "un_subregion": [group.subregion for group in groups],
        "north_south": [group.north_south for group in groups],
        "sector": list(Sector.values),
        "mode": list(Response.Mode.values),
        "type": list(Question.Type.values),
    }
    for column, values in vocabularies.items():
        assert any(values), column
        assert not [value for value in values if value.startswith(FORMULA_TRIGGERS)], column
        # nor hold what joins a respondent's groups into one cell for the database writer
        assert not [value for value in values if HEAD_SEPARATOR in value], column
    assert set(GROUP_COLUMNS) <= set(vocabularies)
    for code in ("-a", "=a", "+a", "@a", "\ta", "a b"):
        with pytest.raises(ValidationError):
            code_validator(code)


def test_the_cell_rule_neutralises_text_and_never_numbers():
    assert [csv_cell(value) for value in ("-3", "=1+1", "@a", "+a", "\ta", "\ra", "a-b")] == [
        "'-3", "'=1+1", "'@a", "'+a", "'\ta", "'\ra", "a-b",
    ]  # fmt: skip
    assert [csv_cell(value) for value in (-3.0, -3, 12.5, 5.0, None, float("nan"))] == [
        "-3", -3, "12.5", "5", "", "",
    ]  # fmt: skip


# The wide table


def test_wide_csv_has_one_row_per_response_with_group_columns_first(taken, survey):
    frame = read_wide(survey)
    assert len(frame) == 3
    assert list(frame.columns[: len(HEAD_COLUMNS)]) == HEAD_COLUMNS
    assert frame["respondent"].tolist() == read_long(survey)["respondent"].unique().tolist()
    assert list(frame.columns[len(HEAD_COLUMNS) :]) == [
        "agree", "why_agree", "org_kind", "org_kind__other__text",
        "tools__law", "tools__standards", "tools__treaty", "tools__other", "tools__none",
        "tools__other__text",
        "priorities__access", "priorities__voice", "priorities__capacity", "priorities__safety",
        "outlook", "years", "title", "home", "org_detail",
    ]  # fmt: skip


def test_wide_csv_codes_options_as_0_1_and_items_by_rank(taken, survey):
    hostile, full, minimal = read_wide(survey).to_dict("records")
    ticks = [full[f"tools__{code}"] for code in ("law", "standards", "treaty", "other", "none")]
    assert ticks == [1, 0, 1, 0, 0]
    assert numpy.isnan(minimal["tools__law"])  # not answered is not "not chosen"
    assert [full[f"priorities__{code}"] for code in ("voice", "access")] == [1, 2]
    assert numpy.isnan(full["priorities__capacity"])
    assert (full["agree"], full["org_kind"], full["home"], full["years"]) == (5, "public", "KE", 12.5)
    assert hostile["years"] == -3
    assert hostile["title"] == "'" + COMMAND
    assert hostile["tools__other__text"] == "'@SUM(1+1)"
    assert hostile["org_kind__other__text"] == "'+a think tank"


def test_a_code_no_longer_among_the_choices_keeps_its_column(taken, survey):
    Choice.objects.filter(question__code="tools", code="treaty").delete()
    Choice.objects.filter(question__code="org_kind", code="public").delete()
    frame = wide_frame(survey=survey).frame
    assert frame["tools__treaty"].tolist() == [0, 1, pandas.NA]
    assert frame["org_kind"].tolist() == ["other_kind", "public", ""]


def test_a_question_named_like_a_group_column_gets_its_own_column(taken, survey):
    Question.objects.filter(survey=survey, code="home").update(code="country")
    frame = wide_frame(survey=survey).frame
    assert frame["country__value"].tolist() == ["KE", "KE", ""]
    assert frame["country"].tolist() == ["DE", "BR", "KE"]


# Excel


def test_xlsx_holds_data_codebook_variables_and_summary_sheets(taken, survey, tmp_path):
    path = written(tmp_path, survey, "xlsx")
    assert openpyxl.load_workbook(path).sheetnames == SHEETS
    data = pandas.read_excel(path, sheet_name="data")
    assert len(data) == 3
    assert list(data.columns) == list(read_wide(survey).columns)
    assert data.loc[0, "years"] == -3 and data.loc[1, "tools__law"] == 1
    assert data.loc[0, "title"] == "'" + COMMAND
    assert pandas.read_excel(path, sheet_name="summary", header=None).iloc[0, 0] == NO_SUMMARY


def test_xlsx_codebook_describes_every_question_choice_and_scale_point(taken, survey, tmp_path):
    codebook = pandas.read_excel(
        written(tmp_path, survey, "xlsx"), sheet_name="codebook", keep_default_na=False
    )
    questions = codebook[codebook["item"].eq("")]
    assert questions["question"].tolist() == list(
        Question.objects.filter(survey=survey)
        .order_by("section__position", "position")
        .values_list("code", flat=True)
    )
    agree = questions.set_index("question").loc["agree"]
    assert (agree["type"], agree["text_en"], agree["text_zh-hans"]) == (
        "likert",
        "Question agree?",
        "问题 agree？",
    )
    assert questions.set_index("question").loc["why_agree", "shown_if"] == "agree at_least 4"
    items = codebook[codebook["item"].ne("")]
    for choice in Choice.objects.filter(question__survey=survey).select_related("question"):
        row = items[items["question"].eq(choice.question.code) & items["item"].eq(choice.code)]
        assert row[["text_en", "text_zh-hans"]].values.tolist() == [
            [choice.label["en"], choice.label["zh-hans"]]
        ]
    points = items[items["question"].eq("agree")]
    assert points["item"].tolist() == ["1", "2", "3", "4", "5"]
    assert points.iloc[4][["value", "text_en", "text_zh-hans"]].tolist() == [5, "Strongly agree", "非常同意"]
    assert items.set_index(["question", "item"]).loc[("org_kind", "private"), "value"] == 2
    assert items.set_index(["question", "item"]).loc[("tools", "law"), "variable"] == "tools__law"


def test_xlsx_has_no_cell_a_spreadsheet_would_run(taken, survey, tmp_path):
    cells = [cell for cell in all_cells(written(tmp_path, survey, "xlsx")) if isinstance(cell, str)]
    assert "'" + COMMAND in cells and "'@SUM(1+1)" in cells
    assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@", "\t", "\r"))]


def test_xlsx_numbers_stay_numbers(taken, survey, tmp_path):
    workbook = openpyxl.load_workbook(written(tmp_path, survey, "xlsx"))
    header, *rows = workbook["data"].iter_rows(values_only=True)
    years = header.index("years")
    assert [row[years] for row in rows] == [-3, 12.5, None]


def test_xlsx_writes_the_summary_tables_one_after_another(taken, survey):
    tables = {
        "Agreement": pandas.DataFrame({"question": ["agree"], "share_agreeing": [0.5]}),
        "=Sneaky title": pandas.DataFrame({"n": [3]}, index=pandas.Index(["sector"], name="by")),
    }
    buffer = io.BytesIO()
    write_xlsx(survey=survey, path=buffer, summary_tables=tables)
    rows = list(openpyxl.load_workbook(buffer)["summary"].iter_rows(values_only=True))
    assert [row[:2] for row in rows if any(cell is not None for cell in row)] == [
        ("Agreement", None), ("question", "share_agreeing"), ("agree", 0.5),
        ("'=Sneaky title", None), ("by", "n"), ("sector", 3),
    ]  # fmt: skip


# SPSS and Stata


def test_sav_keeps_variable_and_value_labels(taken, survey, tmp_path):
    frame, meta = pyreadstat.read_sav(written(tmp_path, survey, "sav"))
    assert len(frame) == 3
    labels = meta.variable_value_labels
    assert labels["agree"][5] == "Strongly agree" and len(labels["agree"]) == 5
    assert labels["org_kind"] == {1: "Public", 2: "Private", 3: "Other kind"}
    assert frame["org_kind"].fillna(0).tolist() == [3, 1, 0]
    assert labels["tools__law"] == {0: "not chosen", 1: "chosen"}
    assert frame["tools__law"].fillna(-1).tolist() == [1, 1, -1]
    assert labels["sector"][frame["sector"][0]] == "Industry"
    assert labels["north_south"] == {1: "Global North", 2: "Global South"}
    assert labels["country"][frame["country"][1]] == "Brazil"
    assert labels["home"][frame["home"][1]] == "Kenya"
    assert meta.column_names_to_labels["agree"] == "Question agree?"
    assert meta.column_names_to_labels["tools__law"] == "Question tools? [Law]"
    assert meta.column_names_to_labels["priorities__voice"] == "Question priorities? [rank of Voice]"
    assert frame["years"].tolist()[:2] == [-3, 12.5]
    assert frame["title"][0] == "'" + COMMAND


def test_dta_names_are_legal_stata_names_mapped_in_their_labels(taken, survey, tmp_path):
    frame, meta = pyreadstat.read_dta(written(tmp_path, survey, "dta"))
    assert all(re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,27}", name) for name in frame.columns)
    assert meta.variable_value_labels["agree"][5] == "Strongly agree"
    assert meta.variable_value_labels["tools__other"] == {0: "not chosen", 1: "chosen"}
    assert "tools__other__text" in frame.columns  # legal already: kept
    assert meta.column_names_to_labels["tools__other__text"] == "Question tools? [other, please specify]"
    assert all(len(label) <= 80 for label in meta.column_labels)


def test_dta_reads_back_in_pandas_with_value_labels(taken, survey, tmp_path):
    frame = pandas.read_stata(written(tmp_path, survey, "dta"))
    assert frame["agree"].tolist() == ["Strongly agree", "Strongly agree", "Disagree"]
    assert frame["sector"].tolist() == ["Industry", "Academia", "Government"]
    assert frame["years"].tolist()[:2] == [-3, 12.5]


def test_long_codes_get_legal_names_and_keep_the_original_in_the_label(survey, experts, tmp_path):
    question = Question.objects.get(survey=survey, code="outlook")
    question.code = "long-term-outlook-for-international-ai-governance"
    question.save()
    take_part(survey, {**MINIMAL, question.code: AnswerValue(number=8)}, expert=experts[1])
    frame, meta = pyreadstat.read_dta(written(tmp_path, survey, "dta"))
    name = "long_term_outlook_for_intern"
    assert frame[name].tolist() == [8]
    assert meta.column_names_to_labels[name].startswith(question.code + ": ")
    frame, meta = pyreadstat.read_sav(written(tmp_path, survey, "sav"))
    assert meta.column_names_to_labels["long_term_outlook_for_international_ai_governance"].startswith(
        question.code + ": "
    )
    assert f"long_term_outlook_for_international_ai_governance = {question.code}" in " ".join(meta.notes)


def test_legal_names_rename_only_what_they_must_and_never_collide():
    names = ["agree", "ai-risk", "ai_risk", "2030_outlook", "with", "long", "x" * 40, "x" * 41]
    assert legal_names(names, DTA) == {
        "agree": "agree",
        "ai-risk": "ai_risk_2",
        "ai_risk": "ai_risk",
        "2030_outlook": "v2030_outlook",
        "with": "v_with",
        "long": "v_long",
        "x" * 40: "x" * 28,
        "x" * 41: "x" * 26 + "_2",
    }
    assert legal_names(["long", "x" * 40], SAV) == {"long": "long", "x" * 40: "x" * 40}


def test_long_option_names_are_cut_in_both_parts_so_options_stay_apart():
    options = [f"international-governance-tools__{code}" for code in ("standards", "standards_bodies")]
    assert list(legal_names(options, DTA).values()) == [
        "international_gov__standards",
        "international__standards_bod",
    ]


def test_labels_are_cut_in_the_body_keeping_prefix_and_suffix():
    assert fit_label("short", max_chars=80, max_bytes=320) == "short"
    label = fit_label("a" * 200, prefix="code: ", suffix=" [Law]", max_chars=80, max_bytes=320)
    assert len(label) == 80 and label.startswith("code: aaa") and label.endswith("a… [Law]")
    chinese = fit_label("中" * 200, max_chars=256, max_bytes=256)
    assert len(chinese.encode()) <= 256 and chinese.endswith("…")


# What never leaves


def every_export_as_text(survey, tmp_path) -> str:
    """The text of every export, read back, with the raw bytes of the binary files."""
    parts = ["".join(long_csv_lines(survey=survey)), "".join(wide_csv_lines(survey=survey))]
    parts += [str(cell) for cell in all_cells(written(tmp_path, survey, "xlsx"))]
    for fmt, read in (("sav", pyreadstat.read_sav), ("dta", pyreadstat.read_dta)):
        path = written(tmp_path, survey, fmt)
        frame, meta = read(path)
        parts += [frame.to_csv(), str(meta.column_labels), str(meta.variable_value_labels), str(meta.notes)]
        parts.append(path.read_bytes().decode("utf-8", errors="replace"))
    return "\n".join(parts)


def test_no_name_email_or_organisation_appears_in_any_export(taken, survey, tmp_path):
    everything = every_export_as_text(survey, tmp_path)
    assert "Fiocruz" not in everything and "HYPERLINK" not in everything
    for expert in Expert.objects.all():
        for personal in (expert.name, expert.email, expert.organisation):
            assert personal not in everything
    responses, _draft = taken
    pseudonyms = {respondent_pseudonym(response.pk) for response in responses}
    assert set(read_long(survey)["respondent"]) == set(read_wide(survey)["respondent"]) == pseudonyms


def test_drafts_are_never_exported(taken, survey, tmp_path):
    assert DRAFT_TEXT not in every_export_as_text(survey, tmp_path)
    assert read_long(survey)["respondent"].nunique() == len(read_wide(survey)) == 3


def test_no_export_holds_another_surveys_answers(taken, survey, tmp_path):
    other = every_type_survey(slug="other-survey")
    stranger = take_part(other, {**FULL, "title": AnswerValue(text="Only in the other survey")})
    assert "Only in the other survey" not in every_export_as_text(survey, tmp_path)
    frame = read_long(survey)
    assert len(frame) == long_row_count(survey)
    assert respondent_pseudonym(stranger.pk) not in set(frame["respondent"])


# Query budgets: the same with 3 or 3 000 respondents (checked on both)

QUERY_BUDGETS = {"csv": 3, "csv-wide": 4, "xlsx": 8, "sav": 5, "dta": 5}


def export(survey, fmt: str, tmp_path) -> None:
    if fmt in FILE_FORMATS:
        written(tmp_path, survey, fmt)
    else:
        "".join(TEXT_FORMATS[fmt](survey=survey))


@pytest.mark.parametrize("fmt", QUERY_BUDGETS)
def test_every_format_keeps_its_query_budget(taken, survey, fmt, tmp_path):
    with CaptureQueriesContext(connection) as queries:
        export(survey, fmt, tmp_path)
    assert len(reads(queries)) <= QUERY_BUDGETS[fmt]


@pytest.mark.parametrize("fmt", QUERY_BUDGETS)
def test_a_survey_without_submissions_exports_its_columns_and_no_rows(survey, fmt, tmp_path):
    take_part(survey, FULL, expert=ExpertFactory(), submit=False)
    export(survey, fmt, tmp_path)
    readers = {
        "csv": lambda: read_long(survey),
        "csv-wide": lambda: read_wide(survey),
        "xlsx": lambda: pandas.read_excel(tmp_path / "export.xlsx", sheet_name="data"),
        "sav": lambda: pyreadstat.read_sav(tmp_path / "export.sav")[0],
        "dta": lambda: pandas.read_stata(tmp_path / "export.dta"),
    }
    frame = readers[fmt]()
    assert len(frame) == 0
    assert list(frame.columns[:2]) == ["respondent", "wave"]


# Nothing is ever truncated, and streaming memory stays flat


def add_submissions(survey, count: int, start: int = 0) -> None:
    """``count`` submitted responses, three answers each (one multiple choice of two codes), made
    in bulk: the volume tests need thousands of answers, not the services' per-page checks."""
    now = timezone.now()
    experts = Expert.objects.bulk_create(
        Expert(name=f"Bulk {n}", email=f"bulk{n}@example.org", country="BR", sector=Sector.ACADEMIA)
        for n in range(start, start + count)
    )
    invitations = Invitation.objects.bulk_create(
        Invitation(survey=survey, expert=expert, token_hash=f"{n:064x}")
        for n, expert in enumerate(experts, start=start)
    )
    responses = Response.objects.bulk_create(
        Response(
            invitation=invitation, survey=survey, status=Response.Status.SUBMITTED, language="en",
            consent_given_at=now, submitted_at=now, country="BR", un_region="Americas", north_south="south",
            sector=Sector.ACADEMIA,
        )
        for invitation in invitations
    )  # fmt: skip
    questions = dict(Question.objects.filter(survey=survey).values_list("code", "pk"))
    Answer.objects.bulk_create(
        answer
        for n, response in enumerate(responses, start=start)
        for answer in (
            Answer(response=response, question_id=questions["agree"], number=n % 5 + 1),
            Answer(response=response, question_id=questions["tools"], codes=["law", "standards"]),
            Answer(response=response, question_id=questions["title"], text=f"-{n}"),
        )
    )


@pytest.fixture
def many(survey):
    add_submissions(survey, 1100)  # 3 300 answers, 4 400 long rows: more than any chunk
    return survey


def test_a_download_abandoned_halfway_leaves_the_connection_usable(many):
    lines = long_csv_lines(survey=many, chunk_size=10)
    next(lines), next(lines), next(lines)  # the header, then two pieces: the export is under way
    lines.close()  # the browser went away
    assert Response.objects.filter(survey=many, status=Response.Status.SUBMITTED).count() == 1100


def test_no_format_is_ever_truncated(many, tmp_path):
    survey = many
    for fmt, budget in QUERY_BUDGETS.items():
        with CaptureQueriesContext(connection) as queries:
            export(survey, fmt, tmp_path)
        assert len(reads(queries)) <= budget, fmt
    answers = Answer.objects.filter(response__survey=survey).count()
    respondents = Response.objects.filter(survey=survey, status=Response.Status.SUBMITTED).count()
    assert answers > 2000 and respondents > 1000
    assert len(read_long(survey)) == long_row_count(survey) == 4400
    wide = read_wide(survey)
    assert len(wide) == respondents and wide["tools__standards"].sum() == respondents
    assert len(pandas.read_excel(written(tmp_path, survey, "xlsx"), sheet_name="data")) == respondents
    assert len(pyreadstat.read_sav(written(tmp_path, survey, "sav"))[0]) == respondents
    assert len(pyreadstat.read_dta(written(tmp_path, survey, "dta"))[0]) == respondents
    assert len(pandas.read_stata(written(tmp_path, survey, "dta"))) == respondents


def test_the_longest_free_text_is_kept_whole_in_every_format(survey, experts, tmp_path):
    longest = "治理" * 10_000  # the longest long-text answer the form takes; 60 000 bytes in UTF-8
    take_part(survey, {**FULL, "why_agree": AnswerValue(text=longest)}, expert=experts[1])
    assert read_long(survey).set_index("question").loc["why_agree", "text"] == longest
    assert read_wide(survey)["why_agree"][0] == longest
    assert pandas.read_excel(written(tmp_path, survey, "xlsx"), sheet_name="data")["why_agree"][0] == longest
    assert pyreadstat.read_sav(written(tmp_path, survey, "sav"))[0]["why_agree"][0] == longest
    assert pandas.read_stata(written(tmp_path, survey, "dta"))["why_agree"][0] == longest


def streaming_peak(survey) -> tuple[int, int]:
    """(peak memory traced while streaming the long CSV line by line, characters streamed)."""
    tracemalloc.start()
    try:
        size = sum(len(line) for line in long_csv_lines(survey=survey, chunk_size=200))
        return tracemalloc.get_traced_memory()[1], size
    finally:
        tracemalloc.stop()


def test_streaming_memory_does_not_grow_with_the_number_of_answers(many):
    streaming_peak(many)  # warm up: translations, country names, compiled queries
    peak, size = streaming_peak(many)
    add_submissions(many, 3300, start=1100)
    larger_peak, larger_size = streaming_peak(many)
    assert larger_size > 3.9 * size
    # Rows held in memory take more than the text they become; streamed, the peak barely moves.
    assert larger_peak - peak < (larger_size - size) / 8


# The command


@pytest.mark.parametrize("fmt", ["csv", "csv-wide"])
def test_command_writes_csv_to_standard_output(taken, survey, fmt):
    out = io.StringIO()
    call_command("export_responses", survey.slug, "--format", fmt, stdout=out)
    lines = (long_csv_lines if fmt == "csv" else wide_csv_lines)(survey=survey)
    assert out.getvalue() == "".join(lines)


@pytest.mark.parametrize("fmt", ["csv", "csv-wide", "xlsx", "sav", "dta"])
def test_command_writes_every_format_to_a_file(taken, survey, fmt, tmp_path):
    path = tmp_path / f"out.{fmt}"
    call_command("export_responses", survey.slug, "--format", fmt, "-o", str(path), stdout=io.StringIO())
    readers = {
        "csv": lambda: pandas.read_csv(path, encoding="utf-8-sig"),
        "csv-wide": lambda: pandas.read_csv(path, encoding="utf-8-sig"),
        "xlsx": lambda: pandas.read_excel(path, sheet_name="data"),
        "sav": lambda: pyreadstat.read_sav(path)[0],
        "dta": lambda: pyreadstat.read_dta(path)[0],
    }
    assert len(readers[fmt]()) == (long_row_count(survey) if fmt == "csv" else 3)


@pytest.mark.parametrize("fmt", ["json", "html"])
def test_command_writes_the_summary_as_json_or_the_printable_report(taken, survey, fmt, tmp_path):
    path = tmp_path / f"summary.{fmt}"
    call_command("export_responses", survey.slug, "--format", fmt, "-o", str(path), stdout=io.StringIO())
    text = path.read_text(encoding="utf-8")
    if fmt == "json":
        json.loads(text)
    else:
        assert text.lstrip().lower().startswith("<!doctype html")
    for expert in Expert.objects.all():
        assert expert.name not in text and expert.email not in text


def test_command_needs_a_path_for_binary_formats(taken, survey):
    with pytest.raises(CommandError, match="-o"):
        call_command("export_responses", survey.slug, "--format", "sav", stdout=io.StringIO())


def test_command_names_an_unknown_survey(db):
    with pytest.raises(CommandError, match="no-such-survey"):
        call_command("export_responses", "no-such-survey", "--format", "csv", stdout=io.StringIO())
