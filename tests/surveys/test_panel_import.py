"""Panel import from CSV and XLSX: every row checked, every error reported, nothing half-stored."""

import csv
import io

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from django_countries import countries

from surveys.models import Expert, Invitation, Sector
from surveys.services.panel import PanelImportError, panel_import
from surveys.services.panel_files import MAX_FILE_BYTES
from tests.factories import ExpertFactory, SurveyFactory, invite

HEADER = "name,email,organisation,country,sector,expertise,language"


def csv_file(*lines: str, header: str = HEADER, encoding: str = "utf-8") -> io.BytesIO:
    return io.BytesIO("\n".join([header, *lines]).encode(encoding))


def import_csv(*lines: str, survey=None, header: str = HEADER, **options):
    return panel_import(survey=survey, file=csv_file(*lines, header=header), filename="panel.csv", **options)


def write_xlsx(path, rows) -> None:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    workbook.save(path)


def test_a_good_csv_creates_every_expert(db):
    result = import_csv(
        "Ana Souza,ana@example.org,USP,Brazil,academia,AI policy,en",
        "Li Wei,li@example.cn,CAICT,CN,research_institute,Standards,zh-hans",
    )
    assert (result.created, result.updated, result.unchanged, result.skipped) == (2, 0, 0, 0)
    assert result.stored and not result.errors
    li = Expert.objects.get(email="li@example.cn")
    assert (li.name, li.organisation, li.country.code, li.sector) == (
        "Li Wei",
        "CAICT",
        "CN",
        "research_institute",
    )
    assert (li.expertise, li.preferred_language) == ("Standards", "zh-hans")


def test_a_good_xlsx_creates_every_expert(db, tmp_path):
    path = tmp_path / "panel.xlsx"
    write_xlsx(
        path,
        [
            ["Name", "Email", "Organisation", "Country", "Sector", "Expertise", "Language"],
            ["Ana Souza", "ana@example.org", "USP", "BRA", "Academia", "AI policy", None],
            ["Kofi Mensah", "kofi@example.org", None, "Ghana", "Government", 2024, "en"],
        ],
    )
    with path.open("rb") as handle:
        result = panel_import(survey=None, file=handle, filename=path.name)
    assert result.created == 2 and not result.errors
    kofi = Expert.objects.get(email="kofi@example.org")
    assert (kofi.country.code, kofi.sector, kofi.expertise, kofi.organisation) == (
        "GH",
        "government",
        "2024",
        "",
    )
    assert Expert.objects.get(email="ana@example.org").preferred_language == "en"


def test_every_error_is_reported_with_row_and_column_and_nothing_is_stored(db):
    result = import_csv(
        "Good Person,good@example.org,,Brazil,academia,,",
        ",bob@,,Atlantis,wizardry,,Klingon",
        "Twice,GOOD@example.org,,BR,academia,,",
        "Long,long@example.org," + "x" * 201 + ",BR,academia,,",
    )
    messages = [str(error) for error in result.errors]
    assert messages[:5] == [
        "row 3, name: a value is required",
        'row 3, email: "bob@" is not a valid email address',
        'row 3, country: "Atlantis" is not a country name or ISO 3166 code we know',
        'row 3, sector: "wizardry" is not a sector we know; use one of academia, civil_society, '
        "government, industry, international_organisation, other, research_institute",
        'row 3, language: "Klingon" is not a language we know; use one of en, zh-hans',
    ]
    assert messages[5:] == [
        'row 4, email: "GOOD@example.org" already appears on row 2',
        "row 5, organisation: the value is 201 characters long; at most 200 are allowed",
    ]
    assert result.skipped == 3 and not result.stored
    assert not Expert.objects.exists()


def test_skip_invalid_stores_the_good_rows_and_reports_the_bad(db):
    result = import_csv(
        "Good Person,good@example.org,,Brazil,academia,,",
        "Bad Person,bad@,,Brazil,academia,,",
        skip_invalid=True,
    )
    assert result.stored and (result.created, result.skipped) == (1, 1)
    assert [str(error) for error in result.errors] == ['row 3, email: "bad@" is not a valid email address']
    assert list(Expert.objects.values_list("email", flat=True)) == ["good@example.org"]


def test_reimport_updates_the_expert_matched_by_email_in_any_case(db):
    expert = ExpertFactory(email="Ana.Souza@Example.org", organisation="Old", country="BR")
    result = import_csv(
        "Ana Souza,ana.souza@EXAMPLE.ORG,FGV,Brazil,academia,AI policy,en",
        "Li Wei,li@example.cn,CAICT,CN,research_institute,,zh-hans",
    )
    assert (result.created, result.updated) == (1, 1)
    assert Expert.objects.count() == 2
    expert.refresh_from_db()
    assert (expert.organisation, expert.email) == ("FGV", "Ana.Souza@Example.org")

    again = import_csv(
        "Ana Souza,ANA.SOUZA@example.org,FGV,Brazil,academia,AI policy,en",
        "Li Wei,li@example.cn,CAICT,CN,research_institute,,zh-hans",
    )
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert Expert.objects.count() == 2


def test_a_column_absent_from_the_file_keeps_the_stored_values(db):
    expert = ExpertFactory(email="ana@example.org", organisation="USP", preferred_language="zh-hans")
    import_csv("Ana Souza,ana@example.org,BR,academia", header="name,email,country,sector")
    expert.refresh_from_db()
    assert (expert.name, expert.organisation, expert.preferred_language) == ("Ana Souza", "USP", "zh-hans")


def test_the_preview_rows_show_what_new_and_updated_experts_will_hold(db):
    ExpertFactory(email="ana@example.org", organisation="USP")
    result = import_csv(
        "Ana Souza,ana@example.org,BR,academia",
        "Li Wei,li@example.cn,CN,academia",
        header="name,email,country,sector",
    )
    ana, li = result.rows
    assert (ana.action, ana.organisation, ana.preferred_language) == ("update", None, None)
    assert (li.action, li.organisation, li.preferred_language) == ("create", "", "en")
    assert (li.country_name, li.sector_label) == ("China", "Academia")


def test_chinese_names_and_organisations_are_stored(db):
    import_csv("王芳,wang@example.cn,清华大学,中国,学术界,人工智能治理,中文")
    expert = Expert.objects.get(email="wang@example.cn")
    assert (expert.name, expert.organisation, expert.expertise) == ("王芳", "清华大学", "人工智能治理")
    assert (expert.country.code, expert.sector, expert.preferred_language) == ("CN", "academia", "zh-hans")


@pytest.mark.parametrize(
    ("country", "code"),
    [
        ("China", "CN"),
        ("china", "CN"),
        ("中国", "CN"),
        ("巴西", "BR"),
        ("BR", "BR"),
        ("bra", "BR"),
        ("CHN", "CN"),
    ],
)
def test_country_by_name_chinese_name_alpha2_or_alpha3(db, country, code):
    import_csv(f"Somebody,somebody@example.org,,{country},academia,,")
    assert Expert.objects.get().country.code == code


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_every_country_name_is_read_as_django_countries_by_name_reads_it(db, language):
    with translation.override(language):
        names = [name for _code, name in countries]
    if language == "en":
        names += ["Turkey", "Swaziland"]  # former names, which by_name() knows too
    lines = io.StringIO()
    csv.writer(lines).writerows(
        ["Expert", f"e{n}@example.org", name, "academia"] for n, name in enumerate(names)
    )
    result = import_csv(*lines.getvalue().splitlines(), header="name,email,country,sector")
    assert not result.errors
    assert [row.country for row in result.rows] == [
        countries.by_name(name, language=language) for name in names
    ]


@pytest.mark.parametrize(
    "sector", ["Research institute", "research_institute", "RESEARCH-INSTITUTE", "研究机构"]
)
def test_sector_by_code_or_label(db, sector):
    import_csv(f"Somebody,somebody@example.org,,BR,{sector},,")
    assert Expert.objects.get().sector == Sector.RESEARCH_INSTITUTE


@pytest.mark.parametrize(
    ("language", "code"),
    [("", "en"), ("EN", "en"), ("zh", "zh-hans"), ("Chinese", "zh-hans"), ("中文", "zh-hans")],
)
def test_language_codes_and_names(db, language, code):
    import_csv(f"Somebody,somebody@example.org,,BR,academia,,{language}")
    assert Expert.objects.get().preferred_language == code


def test_a_csv_with_a_byte_order_mark_and_semicolons(db):
    content = "\ufeffName;Email;Country;Sector\n王芳;wang@example.cn;中国;academia\n".encode()
    result = panel_import(survey=None, file=io.BytesIO(content), filename="PANEL.CSV")
    assert result.created == 1 and not result.errors
    assert Expert.objects.get().name == "王芳"


def test_an_oversized_file_is_refused(db):
    content = (HEADER + "\n").encode() + b"x" * MAX_FILE_BYTES
    with pytest.raises(PanelImportError, match="larger than 10 MB"):
        panel_import(survey=None, file=io.BytesIO(content), filename="panel.csv")


def test_too_many_rows_are_refused(db, settings, monkeypatch):
    monkeypatch.setattr("surveys.services.panel_files.MAX_ROWS", 3)
    lines = [f"Expert {n},e{n}@example.org,,BR,academia,," for n in range(4)]
    with pytest.raises(PanelImportError, match="more than 3 experts"):
        import_csv(*lines)


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (b"name,email\xff", "panel.csv", "not UTF-8"),
        (b"not a zip", "panel.xlsx", "not an .xlsx workbook"),
        (b"name,email", "panel.xls", "Choose a .csv or .xlsx file"),
        (HEADER.encode(), "panel.csv", "no experts"),
    ],
)
def test_unreadable_files_are_refused_with_a_reason(db, content, filename, message):
    with pytest.raises(PanelImportError, match=message):
        panel_import(survey=None, file=io.BytesIO(content), filename=filename)


def test_a_workbook_that_unpacks_too_large_is_refused(db, tmp_path, monkeypatch):
    monkeypatch.setattr("surveys.services.panel_files.MAX_XLSX_UNPACKED_BYTES", 1000)
    path = tmp_path / "panel.xlsx"
    write_xlsx(path, [["name", "email", "country", "sector"]])
    with path.open("rb") as handle, pytest.raises(PanelImportError, match="unpacks to more than"):
        panel_import(survey=None, file=handle, filename=path.name)


def test_missing_columns_are_errors_on_row_1_and_unknown_columns_are_ignored(db):
    result = import_csv("Somebody,somebody@example.org,+1 555", header="Name,E-mail,Phone")
    assert [str(error) for error in result.errors] == [
        "row 1, country: the column is missing",
        "row 1, sector: the column is missing",
    ]
    assert result.ignored_columns == ["Phone"] and not Expert.objects.exists()


def test_a_nul_character_is_refused(db):
    result = import_csv("Some\x00body,somebody@example.org,,BR,academia,,")
    assert [str(error) for error in result.errors] == ["row 2, name: the value contains a NUL character"]


def test_formula_looking_cells_are_stored_verbatim(db, tmp_path):
    formula = "=cmd|' /C calc'!A0"
    import_csv(f'"{formula}",csv@example.org,"+SUM(1,2)",BR,academia,@risk,')
    expert = Expert.objects.get(email="csv@example.org")
    assert (expert.name, expert.organisation, expert.expertise) == (formula, "+SUM(1,2)", "@risk")

    path = tmp_path / "panel.xlsx"
    write_xlsx(
        path, [["name", "email", "country", "sector"], [formula, "xlsx@example.org", "BR", "academia"]]
    )
    with path.open("rb") as handle:
        panel_import(survey=None, file=handle, filename=path.name)
    assert Expert.objects.get(email="xlsx@example.org").name == formula


def test_experts_are_invited_when_a_survey_is_given_and_existing_invitations_kept(db):
    survey = SurveyFactory()
    already = ExpertFactory(email="ana@example.org")
    existing, _token = invite(survey, already)
    result = import_csv(
        "Ana Souza,ana@example.org,,BR,academia,,",
        "Li Wei,li@example.cn,,CN,academia,,",
        survey=survey,
    )
    assert result.invited == 1
    assert set(survey.invitations.values_list("expert__email", flat=True)) == {
        "ana@example.org",
        "li@example.cn",
    }
    assert Invitation.objects.get(survey=survey, expert=already).pk == existing.pk


def test_a_dry_run_counts_but_stores_nothing(db):
    survey = SurveyFactory()
    result = import_csv("Li Wei,li@example.cn,,CN,academia,,", survey=survey, dry_run=True)
    assert (result.created, result.invited, result.stored) == (1, 1, False)
    assert not Expert.objects.exists() and not Invitation.objects.exists()


def test_the_import_costs_the_same_queries_for_any_number_of_rows(db, django_assert_max_num_queries):
    # Savepoint, the email lookup, the bulk insert, the bulk update and release.
    ExpertFactory(email="e0@example.org")
    lines = [f"Expert {n},e{n}@example.org,,BR,academia,," for n in range(100)]
    with django_assert_max_num_queries(5):
        import_csv(*lines)


def test_the_command_imports_and_invites(db, tmp_path):
    survey = SurveyFactory(slug="wave-1")
    path = tmp_path / "panel.csv"
    path.write_text(HEADER + "\nLi Wei,li@example.cn,,CN,academia,,\n", encoding="utf-8")
    out = io.StringIO()
    call_command("import_panel", "wave-1", str(path), stdout=out)
    assert "1 created" in out.getvalue() and "1 invited to wave-1" in out.getvalue()
    assert survey.invitations.get().expert.email == "li@example.cn"


def test_the_command_prints_every_error_and_fails_storing_nothing(db, tmp_path):
    SurveyFactory(slug="wave-1")
    path = tmp_path / "panel.csv"
    path.write_text(
        HEADER
        + "\nGood,good@example.org,,BR,academia,,\nBad,bob@,,BR,academia,,\n,x@example.org,,XX,academia,,\n",
        encoding="utf-8",
    )
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was stored"):
        call_command("import_panel", "wave-1", str(path), stderr=err)
    assert err.getvalue().splitlines() == [
        'row 3, email: "bob@" is not a valid email address',
        "row 4, name: a value is required",
        'row 4, country: "XX" is not a country name or ISO 3166 code we know',
    ]
    assert not Expert.objects.exists()


def test_the_command_with_skip_invalid_stores_the_good_rows(db, tmp_path):
    SurveyFactory(slug="wave-1")
    path = tmp_path / "panel.csv"
    path.write_text(
        HEADER + "\nGood,good@example.org,,BR,academia,,\nBad,bob@,,BR,academia,,\n", encoding="utf-8"
    )
    call_command(
        "import_panel", "wave-1", str(path), "--skip-invalid", stdout=io.StringIO(), stderr=io.StringIO()
    )
    assert list(Expert.objects.values_list("email", flat=True)) == ["good@example.org"]


def test_the_command_needs_an_existing_survey(db, tmp_path):
    path = tmp_path / "panel.csv"
    path.write_text(HEADER + "\n", encoding="utf-8")
    with pytest.raises(CommandError, match="No survey"):
        call_command("import_panel", "no-such-survey", str(path))
