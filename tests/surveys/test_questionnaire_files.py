"""Questionnaires as files: a survey exported and imported again is the same survey, and a file
that is wrong in any way is refused whole, each problem named by where it is in the file."""

import json
import re
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from surveys import services
from surveys.models import Choice, Question, Section, Series, Survey
from surveys.services.questionnaire_files import (
    QuestionnaireFileError,
    export_survey,
    import_survey,
    survey_from_document,
    survey_to_document,
)
from surveys.services.surveys import SurveyStateError
from surveys.validation import QuestionnaireInvalid
from tests.factories import QuestionFactory, SectionFactory, every_type_survey, invite

SCHEMA = Path(__file__).resolve().parents[2] / "docs" / "questionnaire-format.schema.json"


def rich_survey(**fields) -> Survey:
    """``every_type_survey`` with non-default settings, a section intro, labelled scale points,
    help texts, bounds with fractions and a show-if of every operator."""
    survey = every_type_survey(
        allow_edit_after_submit=False,
        reminder_interval_days=10,
        max_reminders=5,
        keep_anonymised_answers=True,
        **fields,
    )
    questions = {question.code: question for question in survey.questions.all()}
    Section.objects.filter(survey=survey, position=1).update(
        intro={"en": "Your views.", "zh-hans": "您的看法。"}
    )
    third = SectionFactory(survey=survey, position=3)
    conditional = [
        ("trust", "likert", "agree", "at_most", 2),
        ("which_law", "short_text", "tools", "any_of", ["law", "treaty"]),
        ("why_not_public", "long_text", "org_kind", "not_equals", "public"),
        ("title_detail", "short_text", "title", "answered", None),
        ("uses_standards", "short_text", "tools", "equals", "standards"),
    ]
    for position, (code, kind, target, operator, value) in enumerate(conditional, start=1):
        QuestionFactory(
            section=third,
            position=position,
            code=code,
            type=kind,
            show_if_question=questions[target],
            show_if_operator=operator,
            show_if_value=value,
        )
    Question.objects.filter(code="trust", survey=survey).update(
        scale_points=5,
        scale_labels=[{"en": f"Point {n}", "zh-hans": f"第{n}点"} for n in range(1, 6)],
        help_text={"en": "1 is no trust at all.", "zh-hans": "1 表示完全不信任。"},
    )
    QuestionFactory(section=third, position=6, code="share", type="number", min_value=0.5, max_value=99.5)
    return survey


def counts() -> tuple[int, int, int, int, int]:
    return tuple(model.objects.count() for model in (Series, Survey, Section, Question, Choice))


def problems(invalid: pytest.ExceptionInfo) -> list[str]:
    return [str(problem) for problem in invalid.value.problems]


@pytest.fixture
def document(db) -> dict:
    return survey_to_document(survey=every_type_survey(slug="original"))


# -- the document --------------------------------------------------------------------------------


def test_a_document_names_its_format_and_version(document):
    assert (document["format"], document["version"]) == ("roundtable-questionnaire", 1)


def test_show_if_names_its_target_by_code(document):
    why_agree = document["sections"][0]["questions"][1]
    assert why_agree["show_if"] == {"question": "agree", "operator": "at_least", "value": 4}


def test_status_and_dates_are_not_part_of_the_file(document):
    assert not {"status", "opens_at", "closes_at", "created_at"} & document.keys()


def test_unset_optional_keys_are_left_out(document):
    title = document["sections"][1]["questions"][3]
    assert title == {
        "code": "title",
        "type": "short_text",
        "text": {"en": "Question title?", "zh-hans": "问题 title？"},
        "required": False,
    }


def test_whole_bounds_are_written_as_whole_numbers(document):
    years = document["sections"][1]["questions"][2]
    assert (years["min_value"], years["max_value"]) == (0, 60)


@pytest.mark.parametrize("make", [every_type_survey, rich_survey])
def test_export_import_export_under_a_new_slug_gives_the_same_document(db, make):
    first = survey_to_document(survey=make(slug="original"))
    copy = survey_from_document(document=first, slug="copy")
    assert survey_to_document(survey=copy) == {**first, "slug": "copy"}


def test_an_imported_survey_is_a_draft_without_dates(document):
    copy = survey_from_document(document=document, slug="copy")
    assert (copy.status, copy.opens_at, copy.closes_at) == (Survey.Status.DRAFT, None, None)


# -- files ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".json", ".yaml", ".yml"])
def test_export_import_export_gives_the_same_file(db, tmp_path, suffix):
    first, second = tmp_path / f"first{suffix}", tmp_path / f"second{suffix}"
    export_survey(survey=rich_survey(slug="original"), path=first)
    export_survey(survey=import_survey(path=first, slug="the-copy"), path=second)
    assert second.read_text(encoding="utf-8") == first.read_text(encoding="utf-8").replace(
        "original", "the-copy"
    )


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_a_file_imported_into_an_empty_database_exports_unchanged(db, tmp_path, suffix):
    first, second = tmp_path / f"first{suffix}", tmp_path / f"second{suffix}"
    export_survey(survey=rich_survey(slug="original"), path=first)
    Survey.objects.all().delete()
    Series.objects.all().delete()
    export_survey(survey=import_survey(path=first), path=second)
    assert second.read_bytes() == first.read_bytes()


def test_json_is_indented_and_keeps_chinese_as_written(db, tmp_path):
    path = tmp_path / "survey.json"
    export_survey(survey=every_type_survey(), path=path)
    text = path.read_text(encoding="utf-8")
    assert text.startswith('{\n  "format": "roundtable-questionnaire",\n  "version": 1,\n')
    assert "人工智能治理调查" in text


def test_yaml_keeps_chinese_as_written_and_keys_in_document_order(db, tmp_path):
    path = tmp_path / "survey.yaml"
    export_survey(survey=every_type_survey(), path=path)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("format: roundtable-questionnaire\nversion: 1\nseries:\n")
    assert "人工智能治理调查" in text


def test_an_unknown_extension_is_refused(db, tmp_path):
    with pytest.raises(
        QuestionnaireFileError, match=r"survey\.txt: use a file ending in \.json, \.yaml, \.yml"
    ):
        export_survey(survey=every_type_survey(), path=tmp_path / "survey.txt")


def test_a_file_over_five_megabytes_is_refused_before_it_is_read(db, tmp_path):
    path = tmp_path / "big.json"
    path.write_bytes(b" " * 6 * 1024 * 1024)
    with pytest.raises(
        QuestionnaireFileError, match=r"big\.json is 6\.0 MB; questionnaire files may be up to 5 MB"
    ):
        import_survey(path=path)


def test_broken_json_is_refused_with_its_line(db, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{\n  "format": "roundtable-questionnaire",\n  "version" 1\n}\n', encoding="utf-8")
    with pytest.raises(QuestionnaireFileError, match=r"broken\.json cannot be read: .*line 3 column 13"):
        import_survey(path=path)


def test_yaml_aliases_are_refused(document, tmp_path):
    section = document["sections"][0]
    document["sections"] = [section, section]  # safe_dump writes the repeat as an alias
    path = tmp_path / "aliases.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    with pytest.raises(
        QuestionnaireFileError, match=r"aliases\.yaml cannot be read: aliases \(\*name\) are not allowed"
    ):
        import_survey(path=path, slug="copy")


# -- refusals ------------------------------------------------------------------------------------


def refused(document: dict) -> list[str]:
    """The problems importing ``document`` under a new slug, checking nothing was stored."""
    before = counts()
    with pytest.raises(QuestionnaireInvalid) as invalid:
        survey_from_document(document=document, slug="copy")
    assert counts() == before
    return problems(invalid)


def test_an_unknown_type_is_refused_where_it_is(document):
    document["sections"][1]["questions"][4]["type"] = "slider"
    assert refused(document) == [
        "sections[1].questions[4].type: unknown type “slider”; known types: likert, single_choice, "
        "multiple_choice, ranking, scale_0_10, number, short_text, long_text, country"
    ]


def test_a_show_if_on_an_unknown_code_is_refused(document):
    document["sections"][1]["questions"][5]["show_if"]["question"] = "org_kinds"
    assert refused(document) == [
        "sections[1].questions[5].show_if.question: no question has the code “org_kinds”"
    ]


def test_a_duplicate_question_code_is_refused(document):
    document["sections"][1]["questions"][3]["code"] = "agree"
    assert refused(document) == [
        "sections[1].questions[3].code: “agree” is also the code of sections[0].questions[0]"
    ]


def test_a_duplicate_choice_code_is_refused(document):
    document["sections"][0]["questions"][3]["choices"][1]["code"] = "law"
    assert refused(document) == [
        "sections[0].questions[3].choices[1].code: “law” is also the code of choices[0]"
    ]


def test_a_choice_question_without_choices_is_refused_after_checking_the_questionnaire(document):
    document["sections"][0]["questions"][3]["choices"] = []
    assert refused(document) == [
        "sections[0].questions[3] (tools): a choice question needs at least two choices"
    ]


def test_a_condition_on_a_later_question_is_refused(document):
    document["sections"][0]["questions"][1]["show_if"] = {"question": "home", "operator": "answered"}
    assert refused(document) == [
        "sections[0].questions[1] (why_agree): "
        "the show-if condition points at “home”, which does not come earlier"
    ]


def test_a_model_rule_is_reported_where_it_is_broken(document):
    document["sections"][0]["questions"][0]["code"] = "Agree"
    document["sections"][0]["questions"][1]["show_if"]["question"] = "Agree"
    document["languages"] = ["en", "fr"]
    assert refused(document) == [
        "languages: Unknown language codes: fr",
        "sections[0].questions[0].code: "
        "Use lower-case letters and digits, joined by single hyphens or underscores.",
    ]


def test_every_shape_problem_is_reported_at_once(document):
    del document["wave_label"]
    document["max_reminders"] = "three"
    document["colour"] = "blue"
    document["sections"][0]["questions"][0]["required"] = "yes"
    document["sections"][1]["questions"][0]["choices"][0]["label"] = "Access"
    assert refused(document) == [
        "colour: unknown key",
        "wave_label: missing",
        "max_reminders: expected a whole number",
        "sections[0].questions[0].required: expected true or false",
        "sections[1].questions[0].choices[0].label: expected texts by language, such as {en: …}",
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"format": "xlsform"}, "format: expected “roundtable-questionnaire”"),
        ({"version": 2}, "version: Roundtable reads version 1 files, not 2"),
    ],
)
def test_a_file_of_another_format_or_version_gets_one_message(document, change, message):
    assert refused({**document, **change}) == [message]


def test_a_document_that_is_not_a_mapping_is_refused(db):
    assert refused(["a", "list"]) == ["document: expected keys and values"]


# -- slugs that exist ----------------------------------------------------------------------------


def test_importing_over_an_existing_slug_is_refused(document):
    with pytest.raises(SurveyStateError, match="A survey with the slug “original” exists already"):
        survey_from_document(document=document)


def test_replace_swaps_the_questionnaire_and_keeps_the_panel(document):
    survey = Survey.objects.get(slug="original")
    invitation, _token = invite(survey)
    document["sections"][1]["questions"].pop()
    document["title"] = {"en": "Revised"}
    replaced = survey_from_document(document=document, replace=True)
    assert replaced.pk == survey.pk
    assert survey_to_document(survey=replaced) == document
    assert list(replaced.invitations.all()) == [invitation]


def test_replace_is_refused_once_the_survey_has_responses(document):
    survey = Survey.objects.get(slug="original")
    invitation, _token = invite(survey)
    services.response_open(invitation=invitation)
    before = counts()
    with pytest.raises(SurveyStateError, match="“original” has responses"):
        survey_from_document(document=document, replace=True)
    assert counts() == before


# -- the schema ----------------------------------------------------------------------------------


def schema_paths(node: dict, schema: dict, path: str = "") -> set[str]:
    """Every key path the schema describes, such as ``sections[].questions[].code``."""
    if "$ref" in node:
        node = schema["$defs"][node["$ref"].rpartition("/")[2]]
    if "items" in node:
        return schema_paths(node["items"], schema, f"{path}[]")
    paths = set()
    for key, child in node.get("properties", {}).items():
        paths |= {f"{path}.{key}".lstrip(".")} | schema_paths(child, schema, f"{path}.{key}".lstrip("."))
    return paths


TEXT_KEYS = {"title", "description", "consent_text", "intro", "text", "help_text", "label", "scale_labels"}


def document_paths(value, path: str = "") -> set[str]:
    """Every key path in a document; the language codes inside texts are data, not keys."""
    if isinstance(value, list):
        return set().union(*(document_paths(item, f"{path}[]") for item in value))
    paths = set()
    for key, child in value.items() if isinstance(value, dict) else ():
        child_path = f"{path}.{key}".lstrip(".")
        paths.add(child_path)
        if key not in TEXT_KEYS:
            paths |= document_paths(child, child_path)
    return paths


def test_the_schema_describes_every_key_the_exporter_writes_and_no_other(db):
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    written = document_paths(survey_to_document(survey=rich_survey()))
    assert written == schema_paths(schema, schema)


def test_the_example_in_the_documentation_imports_and_exports_unchanged(db, tmp_path):
    documentation = (SCHEMA.parent / "questionnaire-format.md").read_text(encoding="utf-8")
    example = tmp_path / "example.yaml"
    example.write_text(re.search(r"```yaml\n(.*?)```", documentation, re.DOTALL).group(1), encoding="utf-8")
    exported = tmp_path / "exported.yaml"
    export_survey(survey=import_survey(path=example), path=exported)
    assert exported.read_text(encoding="utf-8") == example.read_text(encoding="utf-8")


# -- the commands --------------------------------------------------------------------------------


def test_the_commands_export_and_import_the_same_file(db, tmp_path):
    rich_survey(slug="original")
    first, second = tmp_path / "first.yaml", tmp_path / "second.yaml"
    call_command("export_survey", "original", "-o", str(first))
    call_command("import_survey", str(first), "--slug", "the-copy")
    call_command("export_survey", "the-copy", "-o", str(second))
    assert second.read_text(encoding="utf-8") == first.read_text(encoding="utf-8").replace(
        "original", "the-copy"
    )


def test_the_import_command_lists_every_problem(document, tmp_path):
    document["sections"][1]["questions"][4]["type"] = "slider"
    document["sections"][1]["questions"][3]["code"] = "agree"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(CommandError) as error:
        call_command("import_survey", str(path), "--slug", "copy")
    assert str(error.value).splitlines() == [
        f"{path} was not imported:",
        "  - sections[1].questions[3].code: “agree” is also the code of sections[0].questions[0]",
        "  - sections[1].questions[4].type: unknown type “slider”; known types: likert, single_choice, "
        "multiple_choice, ranking, scale_0_10, number, short_text, long_text, country",
    ]


def test_the_import_command_refuses_an_existing_slug_without_replace(document, tmp_path):
    path = tmp_path / "same.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(CommandError, match="exists already"):
        call_command("import_survey", str(path))


def test_the_export_command_names_a_missing_survey(db, tmp_path):
    with pytest.raises(CommandError, match="No survey has the slug “nowhere”"):
        call_command("export_survey", "nowhere", "-o", str(tmp_path / "x.json"))
