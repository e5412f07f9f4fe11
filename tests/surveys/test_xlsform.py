"""XLSForm import: what an XLSForm says becomes the Roundtable questionnaire it means, and what
Roundtable cannot represent is refused whole, every problem named by sheet and row."""

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from surveys.models import Choice, Question, Section, Series, Survey
from surveys.services.questionnaire_files import survey_from_xlsform, survey_to_document
from surveys.validation import QuestionnaireInvalid

HEADER = ("type", "name", "label::English (en)", "label::Chinese (zh-hans)", "hint::English (en)")
CHOICES = [
    ("list_name", "name", "label::English (en)", "label::Chinese (zh-hans)"),
    ("sector", "public", "Public", "公共"),
    ("sector", "private", "Private", "私营"),
    ("tools", "law", "Law", "法律"),
    ("tools", "standards", "Standards", "标准"),
    ("tools", "treaty", "Treaty", "条约"),
    ("priorities", "access", "Access", "获取"),
    ("priorities", "voice", "Voice", "发言权"),
    ("priorities", "capacity", "Capacity", "能力"),
]


def xlsform(directory: Path, survey, choices=CHOICES, settings: dict | None = None, name="form.xlsx") -> Path:
    """An XLSForm workbook written with openpyxl: each sheet's rows, the header first."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "survey"
    for row in survey:
        sheet.append(list(row))
    if choices:
        choices_sheet = workbook.create_sheet("choices")
        for row in choices:
            choices_sheet.append(list(row))
    if settings:
        settings_sheet = workbook.create_sheet("settings")
        settings_sheet.append(list(settings))
        settings_sheet.append(list(settings.values()))
    path = directory / name
    workbook.save(path)
    return path


def imported(directory: Path, survey, **kwargs) -> dict:
    """The document of the survey imported from the form (slug "form" unless the form has one)."""
    return survey_to_document(survey=survey_from_xlsform(path=xlsform(directory, survey, **kwargs)))


def questions(document: dict) -> dict[str, dict]:
    return {
        question["code"]: question for section in document["sections"] for question in section["questions"]
    }


def refused(directory: Path, survey, **kwargs) -> list[str]:
    """The problems importing the form, checking that nothing was stored."""
    with pytest.raises(QuestionnaireInvalid) as invalid:
        survey_from_xlsform(path=xlsform(directory, survey, **kwargs))
    assert [model.objects.count() for model in (Series, Survey, Section, Question, Choice)] == [0] * 5
    return [str(problem) for problem in invalid.value.problems]


EN_ZH = {"en": "Thank you for taking part.", "zh-hans": "感谢参与。"}
FULL_FORM = [
    (*HEADER, "required", "relevant", "constraint", "appearance", "parameters"),
    ("note", "welcome", "Thank you for taking part.", "感谢参与。"),
    ("select_one sector", "sector", "Your sector?", "您的部门？", "Where you work now", "yes"),
    ("begin group", "views", "Your views", "您的看法"),
    ("note", "views_intro", "About policy.", "关于政策。"),
    ("select_multiple tools", "tools", "Which tools?", "哪些工具？", None, "true"),
    ("integer", "years", "Years?", "年数？", None, "TRUE()", None, ". >= 0 and . <= 60"),
    ("decimal", "share", "Share?", "比例？", None, None, None, ". >= 0.5"),
    ("text", "why", "Why?", "为什么？", None, None, "${years} >= 5", None, "multiline"),
    ("text", "job", "Job title?", "职位？"),
    ("rank priorities", "priorities", "Rank these", "排序"),
    ("range", "outlook", "Outlook?", "展望？", None, None, None, None, None, "start=0 end=10 step=1"),
    ("range", "agree", "Agree?", "同意？", None, None, None, None, None, "start=1 end=5 step=1"),
    ("range", "seven", "Seven?", "七？", None, None, None, None, None, "start=1 end=7 step=1"),
    ("range", "budget", "Budget?", "预算？", None, None, None, None, None, "start=0 end=100 step=5"),
    ("end group",),
]
SETTINGS = {
    "form_title": "AI governance",
    "form_id": "ai-2026",
    "default_language": "English (en)",
    "version": "2026",
}


@pytest.fixture
def full(db, tmp_path) -> dict:
    return imported(tmp_path, FULL_FORM, settings=SETTINGS)


def test_the_settings_sheet_gives_slug_title_wave_and_default_language(full):
    assert {key: full[key] for key in ("slug", "title", "wave_label", "default_language", "languages")} == {
        "slug": "ai-2026",
        "title": {"en": "AI governance"},
        "wave_label": "2026",
        "default_language": "en",
        "languages": ["en", "zh-hans"],
    }


def test_an_imported_form_is_a_draft(db, tmp_path):
    survey = survey_from_xlsform(path=xlsform(tmp_path, FULL_FORM, settings=SETTINGS))
    assert survey.status == Survey.Status.DRAFT


def test_questions_before_the_first_group_form_a_first_section_titled_like_the_survey(full):
    first = full["sections"][0]
    assert (first["title"], [q["code"] for q in first["questions"]]) == ({"en": "AI governance"}, ["sector"])


def test_a_group_is_a_section_and_notes_at_its_start_are_its_introduction(full):
    views = full["sections"][1]
    assert (views["title"], views["intro"]) == (
        {"en": "Your views", "zh-hans": "您的看法"},
        {"en": "About policy.", "zh-hans": "关于政策。"},
    )
    assert full["sections"][0]["intro"] == EN_ZH


def test_select_one_is_a_single_choice_with_its_list_in_both_languages(full):
    assert questions(full)["sector"] == {
        "code": "sector",
        "type": "single_choice",
        "text": {"en": "Your sector?", "zh-hans": "您的部门？"},
        "required": True,
        "help_text": {"en": "Where you work now"},
        "choices": [
            {"code": "public", "label": {"en": "Public", "zh-hans": "公共"}},
            {"code": "private", "label": {"en": "Private", "zh-hans": "私营"}},
        ],
    }


def test_select_multiple_is_a_multiple_choice_and_rank_a_ranking(full):
    tools, priorities = questions(full)["tools"], questions(full)["priorities"]
    assert (tools["type"], [c["code"] for c in tools["choices"]]) == (
        "multiple_choice",
        ["law", "standards", "treaty"],
    )
    assert (priorities["type"], [c["code"] for c in priorities["choices"]]) == (
        "ranking",
        ["access", "voice", "capacity"],
    )


def test_integer_and_decimal_are_numbers_bounded_by_a_simple_constraint(full):
    years, share = questions(full)["years"], questions(full)["share"]
    assert (years["type"], years["min_value"], years["max_value"], years["required"]) == (
        "number",
        0,
        60,
        True,
    )
    assert (share["type"], share["min_value"], "max_value" in share) == ("number", 0.5, False)


def test_multiline_text_is_long_text_and_other_text_short(full):
    assert (questions(full)["why"]["type"], questions(full)["job"]["type"]) == ("long_text", "short_text")


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("outlook", {"type": "scale_0_10"}),
        ("agree", {"type": "likert", "scale_points": 5}),
        ("seven", {"type": "likert", "scale_points": 7}),
        ("budget", {"type": "number", "min_value": 0, "max_value": 100}),
    ],
)
def test_a_range_is_a_scale_when_it_is_one_and_a_bounded_number_otherwise(full, code, expected):
    question = questions(full)[code]
    assert {key: question[key] for key in expected} == expected


def test_a_relevant_becomes_a_show_if_on_the_question_code(full):
    assert questions(full)["why"]["show_if"] == {"question": "years", "operator": "at_least", "value": 5}


CONDITION_FORM = [
    ("type", "name", "label", "relevant"),
    ("select_one sector", "kind", "Kind?"),
    ("select_multiple tools", "tools", "Tools?"),
    ("integer", "years", "Years?"),
    ("text", "job", "Job?"),
]


@pytest.mark.parametrize(
    ("relevant", "show_if"),
    [
        ("${kind} = 'public'", {"question": "kind", "operator": "equals", "value": "public"}),
        ('${kind} != "public"', {"question": "kind", "operator": "not_equals", "value": "public"}),
        ("selected(${tools}, 'law')", {"question": "tools", "operator": "equals", "value": "law"}),
        ("not(selected(${tools}, 'law'))", {"question": "tools", "operator": "not_equals", "value": "law"}),
        ("${years} >= 5", {"question": "years", "operator": "at_least", "value": 5}),
        ("${years}<=10", {"question": "years", "operator": "at_most", "value": 10}),
        ("${years} = 3", {"question": "years", "operator": "equals", "value": 3}),
        ("${job} != ''", {"question": "job", "operator": "answered", "value": None}),
    ],
)
def test_each_simple_relevant_maps_to_a_show_if(db, tmp_path, relevant, show_if):
    document = imported(tmp_path, [*CONDITION_FORM, ("text", "follow_up", "More?", relevant)])
    assert questions(document)["follow_up"]["show_if"] == show_if


@pytest.mark.parametrize("required", ["yes", "true", "TRUE()", "Yes"])
def test_each_spelling_of_yes_makes_a_question_required(db, tmp_path, required):
    document = imported(tmp_path, [("type", "name", "label", "required"), ("text", "job", "Job?", required)])
    assert questions(document)["job"]["required"] is True


def test_no_makes_a_question_optional(db, tmp_path):
    document = imported(tmp_path, [("type", "name", "label", "required"), ("text", "job", "Job?", "no")])
    assert questions(document)["job"]["required"] is False


def test_plain_labels_are_in_the_default_language_and_zh_means_simplified_chinese(db, tmp_path):
    form = [("type", "name", "label", "label::Chinese (zh)"), ("text", "job", "Job?", "职位？")]
    document = imported(tmp_path, form)
    assert (document["languages"], questions(document)["job"]["text"]) == (
        ["en", "zh-hans"],
        {"en": "Job?", "zh-hans": "职位？"},
    )


def test_without_settings_the_slug_is_the_file_name(db, tmp_path):
    document = imported(
        tmp_path, [("type", "name", "label"), ("text", "job", "Job?")], name="expert-views.xlsx"
    )
    assert (document["slug"], document["title"]) == ("expert-views", {"en": "expert-views"})


def test_a_slug_given_overrides_the_form_id(db, tmp_path):
    survey = survey_from_xlsform(path=xlsform(tmp_path, FULL_FORM, settings=SETTINGS), slug="pilot")
    assert survey.slug == "pilot"


def test_questions_between_groups_form_a_section_of_their_own(db, tmp_path):
    form = [
        ("type", "name", "label"),
        ("begin group", "one", "One"),
        ("text", "a", "A?"),
        ("end group", "one"),
        ("text", "b", "B?"),
        ("begin group", "two", "Two"),
        ("text", "c", "C?"),
        ("end group",),
    ]
    document = imported(tmp_path, form, settings={"form_title": "Views"})
    assert [(s["title"]["en"], [q["code"] for q in s["questions"]]) for s in document["sections"]] == [
        ("One", ["a"]),
        ("Views", ["b"]),
        ("Two", ["c"]),
    ]


def test_a_group_inside_a_group_adds_its_questions_to_the_enclosing_section(db, tmp_path):
    form = [
        ("type", "name", "label"),
        ("begin group", "outer", "Outer"),
        ("text", "a", "A?"),
        ("begin group", "inner", "Inner"),
        ("text", "b", "B?"),
        ("end group",),
        ("text", "c", "C?"),
        ("end group",),
    ]
    document = imported(tmp_path, form)
    assert [[q["code"] for q in s["questions"]] for s in document["sections"]] == [["a", "b", "c"]]


def test_a_group_relevant_applies_to_each_question_in_the_group(db, tmp_path):
    form = [
        ("type", "name", "label", "relevant"),
        ("select_one sector", "kind", "Kind?"),
        ("begin group", "private_part", "Private sector", "${kind} = 'private'"),
        ("text", "a", "A?"),
        ("text", "b", "B?"),
        ("end group",),
    ]
    document = imported(tmp_path, form)
    condition = {"question": "kind", "operator": "equals", "value": "private"}
    assert [questions(document)[code]["show_if"] for code in ("a", "b")] == [condition, condition]


def test_or_other_marks_the_other_choice_as_asking_for_text(db, tmp_path):
    document = imported(
        tmp_path, [("type", "name", "label"), ("select_one sector or_other", "kind", "Kind?")]
    )
    other = {
        "code": "other",
        "label": {"en": "Other", "zh-hans": "Other"},
        "is_other": True,
    }  # pyxform's label
    assert questions(document)["kind"]["choices"][-1] == other


def test_device_metadata_rows_are_skipped(db, tmp_path):
    form = [("type", "name", "label"), ("start", "started"), ("end", "ended"), ("text", "job", "Job?")]
    assert list(questions(imported(tmp_path, form))) == ["job"]


def test_a_label_that_looks_like_a_formula_is_stored_as_text(db, tmp_path):
    path = xlsform(tmp_path, [("type", "name", "label"), ("text", "job", "placeholder")])
    workbook = load_workbook(path)
    cell = workbook["survey"]["C2"]
    cell.value, cell.data_type = '=HYPERLINK("http://example.org","x")', "s"  # text, not a formula
    workbook.save(path)
    assert survey_from_xlsform(path=path).questions.get().text == {
        "en": '=HYPERLINK("http://example.org","x")'
    }


# -- refusals ------------------------------------------------------------------------------------


def test_an_unsupported_type_is_refused_by_sheet_and_row(db, tmp_path):
    form = [("type", "name", "label"), ("text", "job", "Job?"), ("geopoint", "where", "Where?")]
    assert refused(tmp_path, form) == [
        "sheet “survey”, row 3: the type “geopoint” is not supported; Roundtable imports select_one, "
        "select_multiple, rank, integer, decimal, range, text, note, begin/end group"
    ]


def test_every_problem_is_reported_at_once_in_row_order(db, tmp_path):
    form = [
        ("type", "name", "label", "relevant", "constraint", "calculation"),
        ("integer", "years", "Years?", None, ". > 0"),
        ("geopoint", "where", "Where?"),
        (),
        ("calculate", "total", None, None, None, "1 + 1"),
        ("text", "job", "Job?", "${years} > 3 or ${years} < 1"),
        ("text", "note_after", "After?", "${where} != ''"),
    ]
    assert [problem.split(":")[0] for problem in refused(tmp_path, form)] == [
        "sheet “survey”, row 2",
        "sheet “survey”, row 3",
        "sheet “survey”, row 5",
        "sheet “survey”, row 6",
        "sheet “survey”, row 7",
    ]


def test_a_relevant_that_does_not_map_is_refused_with_its_row(db, tmp_path):
    form = [
        ("type", "name", "label", "relevant"),
        ("integer", "years", "Years?"),
        ("text", "job", "Job?", "${years} > 3"),
    ]
    assert refused(tmp_path, form) == [
        "sheet “survey”, row 3: the relevant “${years} > 3” does not map to a Roundtable condition; "
        "these do: ${q} = 'code', ${q} != 'code', selected(${q}, 'code'), ${q} >= N, ${q} <= N, ${q} != ''"
    ]


def test_a_constraint_that_is_not_a_simple_bound_is_refused(db, tmp_path):
    form = [("type", "name", "label", "constraint"), ("integer", "years", "Years?", ". >= 0 or . = -1")]
    assert refused(tmp_path, form) == [
        "sheet “survey”, row 2: the constraint “. >= 0 or . = -1” is not a simple bound "
        "such as “. >= 0 and . <= 60”"
    ]


def test_an_unknown_choice_list_is_refused_by_pyxform_with_its_row(db, tmp_path):
    form = [("type", "name", "label"), ("text", "job", "Job?"), ("select_one colours", "colour", "Colour?")]
    assert refused(tmp_path, form) == ["sheet “survey”, row 3: List name not in choices sheet: colours"]


def test_an_end_group_without_a_begin_group_is_refused(db, tmp_path):
    form = [("type", "name", "label"), ("text", "job", "Job?"), ("end group", "views")]
    assert refused(tmp_path, form) == [
        "sheet “survey”, row 3: Unmatched 'end_group'. "
        "No matching 'begin_group' was found for the name 'views'."
    ]


def test_a_group_never_closed_is_refused(db, tmp_path):
    form = [("type", "name", "label"), ("begin group", "views", "Views"), ("text", "job", "Job?")]
    assert refused(tmp_path, form) == [
        "sheet “survey”, row 2: Unmatched 'begin_group'. "
        "No matching 'end_group' was found for the name 'views'."
    ]


def test_a_note_after_a_question_is_refused(db, tmp_path):
    form = [("type", "name", "label"), ("text", "job", "Job?"), ("note", "thanks", "Thanks!")]
    assert refused(tmp_path, form) == [
        "sheet “survey”, row 3: a note after a question has no place in Roundtable: move it to the start "
        "of its group, where it becomes the section's introduction, or delete it"
    ]


def test_a_language_roundtable_does_not_offer_is_refused_at_the_header(db, tmp_path):
    form = [
        ("type", "name", "label::English (en)", "label::French (fr)"),
        ("text", "job", "Job?", "Métier ?"),
    ]
    assert refused(tmp_path, form) == [
        "sheet “survey”, row 1: the language “French (fr)” is not one Roundtable offers (en, zh-hans)"
    ]


def test_the_same_name_in_two_groups_is_refused(db, tmp_path):
    form = [
        ("type", "name", "label"),
        ("begin group", "one", "One"),
        ("text", "job", "Job?"),
        ("end group",),
        ("begin group", "two", "Two"),
        ("text", "job", "Job again?"),
        ("end group",),
    ]
    assert refused(tmp_path, form) == [
        "sheet “survey”, row 6: the name “job” is also used on row 3; question names must be unique"
    ]


def test_a_name_that_is_not_a_roundtable_code_is_refused_at_its_row(db, tmp_path):
    form = [("type", "name", "label"), ("text", "Job", "Job?")]
    assert refused(tmp_path, form) == [
        "sheet “survey”, row 2: code: "
        "Use lower-case letters and digits, joined by single hyphens or underscores."
    ]


def test_questionnaire_problems_are_reported_at_the_rows_they_concern(db, tmp_path):
    form = [
        ("type", "name", "label"),
        ("begin group", "empty", "Nothing here"),
        ("note", "hello", "Hello"),
        ("end group",),
        ("select_one only", "pick", "Pick?"),
    ]
    choices = [("list_name", "name", "label"), ("only", "one", "One")]
    assert refused(tmp_path, form, choices=choices) == [
        "sheet “survey”, row 2: the section has no questions",
        "sheet “survey”, row 5 (pick): a choice question needs at least two choices",
    ]


def test_a_formula_with_no_stored_value_is_refused_as_a_missing_label_without_crashing(db, tmp_path):
    form = [("type", "name", "label"), ("text", "job", '=HYPERLINK("http://example.org","x")')]
    assert refused(tmp_path, form) == ["sheet “survey”, row 2: text: This field cannot be blank."]


def test_a_file_that_is_not_a_workbook_is_refused(db, tmp_path):
    path = tmp_path / "notes.xlsx"
    path.write_text("not a workbook", encoding="utf-8")
    with pytest.raises(QuestionnaireInvalid, match="XLSForm: Argument 'definition' was not recognized"):
        survey_from_xlsform(path=path)


def test_the_import_command_reads_an_xlsform(db, tmp_path):
    call_command("import_survey", str(xlsform(tmp_path, FULL_FORM, settings=SETTINGS)))
    assert Survey.objects.get().slug == "ai-2026"


def test_the_import_command_lists_every_problem_of_a_form(db, tmp_path):
    form = [("type", "name", "label"), ("geopoint", "where", "Where?"), ("image", "photo", "Photo?")]
    with pytest.raises(CommandError) as error:
        call_command("import_survey", str(xlsform(tmp_path, form)))
    assert [line.split(":")[0] for line in str(error.value).splitlines()[1:]] == [
        "  - sheet “survey”, row 2",
        "  - sheet “survey”, row 3",
    ]
