"""The coded interview passages as downloads: the coded-segments CSV (view and command) and the
workbook's themes and coded-segments sheets.

They carry pseudonyms, group snapshots, themes, coders' usernames, passages and memos, never an
expert's name, email or organisation; text a spreadsheet would run is neutralised; the download
costs the same queries whatever the number of segments, and a survey nobody coded is no error.
"""

import csv
import io

import openpyxl
import pandas
import pytest
from django.core.management import call_command

from analysis.coding import codebook_for_survey, segment_code, theme_create
from analysis.exports import CODED_SEGMENT_COLUMNS, coded_segments_csv_lines, write_xlsx
from analysis.exports.coded_segments import THEME_SHEET_COLUMNS
from analysis.load import respondent_pseudonym
from analysis.models import Codebook, CodedSegment, Theme
from analysis.views import DOWNLOADS
from surveys import roles, services
from surveys.conditions import AnswerValue
from surveys.models import Answer, Response, Survey
from tests.factories import ExpertFactory, QuestionFactory, SectionFactory, SurveyFactory, take_part

LOGIN = "/accounts/login/"
PERSONAL = [
    ("Zebulon Quixote-Farnsworth", "zebulon.qf@hyperborea.example", "Hyperborean Institute of Secrets"),
    ("Ana Lima", "ana.lima@fiocruz.example", "Fiocruz Institute"),
]
WHY = "Compute is scarce. Rules lag behind."
HOSTILE_THEME = '=HYPERLINK("http://evil","x")'
HOSTILE_MEMO = "+1 see the other passage"
HOSTILE_PASSAGE = "@SUM(1+1) is what they will charge us"
# Session, user, the user's permissions (two), the survey, the segments.
DOWNLOAD_BUDGET = 6


@pytest.fixture
def survey(db) -> Survey:
    survey = SurveyFactory(slug="interviews-2026")
    section = SectionFactory(survey=survey, position=1)
    QuestionFactory(section=section, position=1, code="why", type="long_text")
    QuestionFactory(section=section, position=2, code="risks", type="long_text")
    return survey


@pytest.fixture
def staff(db) -> dict:
    return {
        role: services.user_create_with_role(username=f"{role}-1", password="x-pass-123", role=role)
        for role in roles.ROLES
    }


@pytest.fixture
def themes(survey) -> dict[str, Theme]:
    """The survey's codebook: AI divide (with the sub-theme Access to compute) and Regulation."""
    codebook = codebook_for_survey(survey=survey)
    divide = theme_create(codebook=codebook, name="AI divide", description="Gaps between countries.")
    compute = theme_create(codebook=codebook, name="Access to compute", parent=divide)
    regulation = theme_create(codebook=codebook, name="Regulation")
    return {"divide": divide, "compute": compute, "regulation": regulation}


def respond(survey: Survey, personal: tuple[str, str, str], **texts: str) -> Response:
    name, email, organisation = personal
    expert = ExpertFactory(name=name, email=email, organisation=organisation, country="BR")
    answers = {code: AnswerValue(text=text) for code, text in texts.items()}
    return take_part(survey, answers, expert=expert)


def answer(response: Response, question: str = "why") -> Answer:
    return Answer.objects.select_related("response", "question").get(
        response=response, question__code=question
    )


@pytest.fixture
def coded(survey, staff, themes) -> list[Response]:
    """Two respondents; the researcher and the admin code the first one's "why" independently, the
    admin also codes the second one's "why", and the researcher reads "risks" without a theme."""
    first = respond(survey, PERSONAL[0], why=WHY, risks="Nothing much.")
    second = respond(survey, PERSONAL[1], why="Regulation first.")
    researcher, admin = staff["researcher"], staff["admin"]
    segment_code(
        answer=answer(first), coder=researcher, start=0, end=18,
        themes=[themes["compute"], themes["regulation"]], memo="Scarcity, twice",
    )  # fmt: skip
    segment_code(answer=answer(first), coder=admin, start=0, end=18, themes=[themes["divide"]])
    segment_code(answer=answer(second), coder=admin, start=0, end=17, themes=[themes["regulation"]])
    segment_code(answer=answer(first, "risks"), coder=researcher, start=0, end=13, themes=[])
    return [first, second]


@pytest.fixture
def hostile(survey, staff) -> None:
    """One segment whose theme name, memo and passage a spreadsheet would run as formulas."""
    theme = theme_create(codebook=codebook_for_survey(survey=survey), name=HOSTILE_THEME)
    response = respond(survey, PERSONAL[0], why=HOSTILE_PASSAGE)
    coder = staff["researcher"]
    segment_code(answer=answer(response), coder=coder, start=0, end=9, themes=[theme], memo=HOSTILE_MEMO)


def read_csv(text: str) -> pandas.DataFrame:
    assert text.startswith("\ufeff")
    return pandas.read_csv(io.StringIO(text[1:]), keep_default_na=False, na_values=[""])


def csv_text(survey: Survey) -> str:
    return "".join(coded_segments_csv_lines(survey=survey))


def download(client, survey: Survey):
    return client.get(f"/analysis/{survey.slug}/download/coded-segments/")


def streamed(response) -> str:
    assert response.status_code == 200 and response.streaming
    return b"".join(response.streaming_content).decode("utf-8")


# The CSV


def test_csv_has_a_row_per_segment_and_theme_for_each_coder(survey, coded):
    frame = read_csv(csv_text(survey))
    assert list(frame.columns) == CODED_SEGMENT_COLUMNS
    rows = frame[["question", "coder", "theme", "parent_theme", "passage", "memo"]].fillna("")
    scarce, memo = "Compute is scarce.", "Scarcity, twice"
    assert sorted(rows.itertuples(index=False, name=None)) == sorted(
        [
            ("why", "researcher-1", "Access to compute", "AI divide", scarce, memo),
            ("why", "researcher-1", "Regulation", "", scarce, memo),
            ("why", "admin-1", "AI divide", "", scarce, ""),
            ("why", "admin-1", "Regulation", "", "Regulation first.", ""),
            ("risks", "researcher-1", "", "", "Nothing much.", ""),
        ]
    )
    first, second = (respondent_pseudonym(response.pk) for response in coded)
    assert frame["respondent"].tolist() == [first, first, first, second, first]
    assert frame[["start", "end"]].values.tolist()[0] == [0, 18]
    assert set(frame["wave"].astype(str)) == {survey.wave_label}
    assert set(frame["country"]) == {"BR"} and set(frame["north_south"]) == {"south"}
    assert set(frame["quotable"]) == {1}


def test_passages_of_experts_not_for_quotation_are_marked_in_the_csv(survey, coded):
    Response.objects.filter(pk=coded[1].pk).update(attribution=Response.Attribution.NOT_FOR_QUOTATION)
    frame = read_csv(csv_text(survey))
    not_quotable = frame.loc[frame["quotable"].eq(0), "respondent"]
    assert set(not_quotable) == {respondent_pseudonym(coded[1].pk)}


def test_a_hostile_passage_memo_and_theme_name_are_neutralised(survey, hostile):
    header, row = list(csv.reader(io.StringIO(csv_text(survey)[1:])))
    cells = dict(zip(header, row, strict=True))
    assert cells["theme"] == "'" + HOSTILE_THEME
    assert cells["memo"] == "'" + HOSTILE_MEMO
    assert cells["passage"] == "'@SUM(1+1)"
    assert (cells["start"], cells["end"]) == ("0", "9")


def test_a_survey_nobody_coded_gives_the_header_alone(survey):
    respond(survey, PERSONAL[0], why=WHY)
    text = csv_text(survey)
    assert text == "\ufeff" + ",".join(CODED_SEGMENT_COLUMNS) + "\r\n"
    assert len(read_csv(text)) == 0


def test_segments_on_a_draft_are_never_exported(survey, staff):
    draft = take_part(survey, {"why": AnswerValue(text="Draft only")}, expert=ExpertFactory(), submit=False)
    CodedSegment.objects.create(answer=answer(draft), coder=staff["researcher"], start=0, end=5)
    assert len(read_csv(csv_text(survey))) == 0


# The workbook


def test_xlsx_holds_the_themes_and_the_coded_segments(survey, coded, tmp_path):
    path = tmp_path / "export.xlsx"
    write_xlsx(survey=survey, path=path)
    workbook = openpyxl.load_workbook(path, read_only=True)
    segments = list(workbook["coded segments"].iter_rows(values_only=True))
    assert list(segments[0]) == CODED_SEGMENT_COLUMNS
    assert len(segments) == 1 + 5
    assert pandas.read_excel(path, sheet_name="coded segments")["coder"].value_counts().to_dict() == {
        "researcher-1": 3,
        "admin-1": 2,
    }
    themes = list(workbook["themes"].iter_rows(values_only=True))
    assert list(themes[0]) == THEME_SHEET_COLUMNS
    assert [row[:2] for row in themes[1:]] == [
        ("AI divide", None),
        ("Access to compute", "AI divide"),
        ("Regulation", None),
    ]
    assert themes[1][2] == "Gaps between countries."


def test_xlsx_themes_come_from_the_series_codebook_when_the_survey_has_none(survey, tmp_path):
    codebook = Codebook.objects.create(series=survey.series, name="Every wave")
    theme_create(codebook=codebook, name=HOSTILE_THEME)
    path = tmp_path / "export.xlsx"
    write_xlsx(survey=survey, path=path)
    rows = list(openpyxl.load_workbook(path, read_only=True)["themes"].iter_rows(values_only=True))
    assert rows[1:] == [("'" + HOSTILE_THEME, None, None)]


def test_xlsx_neutralises_hostile_coding_text(survey, hostile, tmp_path):
    path = tmp_path / "export.xlsx"
    write_xlsx(survey=survey, path=path)
    sheet = pandas.read_excel(path, sheet_name="coded segments")
    assert sheet.loc[0, ["theme", "memo", "passage"]].tolist() == [
        "'" + HOSTILE_THEME,
        "'" + HOSTILE_MEMO,
        "'@SUM(1+1)",
    ]


# The view and the command


def test_the_download_is_a_csv_named_after_the_survey(client, staff, survey, coded):
    client.force_login(staff["researcher"])
    response = download(client, survey)
    assert response["Content-Type"] == DOWNLOADS["coded-segments"][1]
    assert response["Content-Disposition"] == 'attachment; filename="interviews-2026-coded-segments.csv"'
    assert len(read_csv(streamed(response))) == 5


def test_anonymous_visitors_are_sent_to_log_in(client, survey, coded):
    response = download(client, survey)
    assert response.status_code == 302 and response.url.startswith(LOGIN)


@pytest.mark.parametrize(
    ("role", "status"), [("interviewer", 403), ("fieldwork", 403), ("researcher", 200), ("admin", 200)]
)
def test_the_download_by_role(client, staff, survey, coded, role, status):
    client.force_login(staff[role])
    assert download(client, survey).status_code == status


def test_no_name_email_or_organisation_in_the_dashboard_or_the_download(client, staff, survey, coded):
    client.force_login(staff["researcher"])
    dashboard = client.get(f"/analysis/{survey.slug}/")
    assert dashboard.status_code == 200
    html = dashboard.content.decode()
    assert f"/analysis/{survey.slug}/download/coded-segments/" in html
    content = streamed(download(client, survey))
    assert "Compute is scarce." in content
    for personal in (*PERSONAL[0], *PERSONAL[1]):
        assert personal not in html and personal not in content


def test_the_command_writes_the_csv_to_a_file(survey, coded, tmp_path):
    path = tmp_path / "segments.csv"
    out = io.StringIO()
    call_command("export_responses", survey.slug, "--format", "coded-segments", "-o", str(path), stdout=out)
    assert path.read_bytes().decode("utf-8") == csv_text(survey)
    assert len(pandas.read_csv(path, encoding="utf-8-sig")) == 5
    assert str(path) in out.getvalue()


# Query budget


def test_the_download_queries_do_not_grow_with_the_number_of_segments(
    client, staff, survey, coded, themes, django_assert_max_num_queries
):
    client.force_login(staff["researcher"])
    with django_assert_max_num_queries(DOWNLOAD_BUDGET):
        assert len(read_csv(streamed(download(client, survey)))) == 5
    why = answer(coded[0])
    for start in range(len(WHY) - 1):
        segment_code(answer=why, coder=staff["admin"], start=start, end=start + 1, themes=[themes["divide"]])
    with django_assert_max_num_queries(DOWNLOAD_BUDGET):
        assert len(read_csv(streamed(download(client, survey)))) > 5 + 30
