"""Coding services: the codebook a survey uses, themes in two levels, coded passages per coder,
the answers a coder works through, and the codebook as CSV."""

import io
import random

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from analysis.coding import (
    CodebookImportError,
    answers_to_code,
    codebook_export_csv,
    codebook_for_survey,
    codebook_import_csv,
    codebook_themes,
    segment_code,
    segment_uncode,
    surveys_for_coding,
    theme_create,
    theme_delete,
    theme_update,
)
from analysis.demo import seed_demo_coding
from analysis.models import Codebook, CodedSegment, Quote, Theme
from surveys import roles, services
from surveys.conditions import AnswerValue
from surveys.demo.seed import DEMO_PASSWORD, seed_demo
from surveys.models import Answer, Response, Sector
from tests.analysis.test_load import take_part
from tests.factories import ExpertFactory, QuestionFactory, SectionFactory, SurveyFactory

WHY = "Compute is scarce. Skills are scarcer."


def open_questions_survey(**fields):
    """Two long-text questions (why, risks) and a short-text one (title)."""
    survey = SurveyFactory(**fields)
    section = SectionFactory(survey=survey, position=1)
    QuestionFactory(section=section, position=1, code="why", type="long_text")
    QuestionFactory(section=section, position=2, code="risks", type="long_text")
    QuestionFactory(section=section, position=3, code="title", type="short_text")
    return survey


@pytest.fixture
def survey(db):
    return open_questions_survey()


@pytest.fixture
def coders(db):
    return [get_user_model().objects.create_user(username=name) for name in ("coder-a", "coder-b")]


@pytest.fixture
def themes(survey):
    codebook = codebook_for_survey(survey=survey)
    divide = theme_create(codebook=codebook, name="AI divide")
    compute = theme_create(codebook=codebook, name="Access to compute", parent=divide)
    regulation = theme_create(codebook=codebook, name="Regulation")
    return {"divide": divide, "compute": compute, "regulation": regulation}


def answer_of(response: Response, code: str = "why") -> Answer:
    return response.answers.select_related("question", "response__survey").get(question__code=code)


def respond(survey, *, why=WHY, risks="", country="BR", sector=Sector.ACADEMIA, language="en", submit=True):
    answers = {"why": AnswerValue(text=why), "title": AnswerValue(text="Professor")}
    if risks:
        answers["risks"] = AnswerValue(text=risks)
    expert = ExpertFactory(country=country, sector=sector, preferred_language=language)
    response = take_part(survey, answers, expert=expert, submit=submit)
    Response.objects.filter(pk=response.pk).update(language=language)
    return response


# The codebook and its themes -------------------------------------------------------------------


def test_a_survey_gets_its_own_codebook_on_first_use(survey):
    codebook = codebook_for_survey(survey=survey)
    assert codebook.survey == survey and codebook.series is None
    assert codebook_for_survey(survey=survey) == codebook
    assert Codebook.objects.count() == 1


def test_a_survey_without_its_own_codebook_uses_its_series_codebook(survey):
    shared = Codebook.objects.create(series=survey.series, name="Every wave")
    assert codebook_for_survey(survey=survey) == shared


def test_a_survey_codebook_comes_before_the_series_codebook(survey):
    Codebook.objects.create(series=survey.series, name="Every wave")
    own = Codebook.objects.create(survey=survey, name="This wave")
    assert codebook_for_survey(survey=survey) == own


def test_themes_are_listed_parent_first_in_the_order_they_were_added(themes):
    codebook = themes["divide"].codebook
    later = theme_create(codebook=codebook, name="Chips", parent=themes["divide"])
    assert codebook_themes(codebook=codebook) == [
        themes["divide"],
        themes["compute"],
        later,
        themes["regulation"],
    ]


def test_themes_nest_two_levels_deep_at_most(themes):
    with pytest.raises(ValidationError, match="two levels"):
        theme_create(codebook=themes["divide"].codebook, name="Chips", parent=themes["compute"])


def test_a_theme_with_sub_themes_cannot_become_a_sub_theme(themes):
    with pytest.raises(ValidationError, match="sub-themes"):
        theme_update(theme=themes["divide"], name="AI divide", description="", parent=themes["regulation"])


def test_a_theme_cannot_be_its_own_parent(themes):
    with pytest.raises(ValidationError, match="own parent"):
        theme_update(
            theme=themes["regulation"], name="Regulation", description="", parent=themes["regulation"]
        )


def test_theme_names_are_unique_in_a_codebook_and_required(themes):
    codebook = themes["divide"].codebook
    with pytest.raises(ValidationError):
        theme_create(codebook=codebook, name="Regulation")
    with pytest.raises(ValidationError):
        theme_create(codebook=codebook, name="   ")


def test_a_parent_from_another_codebook_is_refused(themes):
    other = codebook_for_survey(survey=open_questions_survey(series=themes["divide"].codebook.survey.series))
    with pytest.raises(ValidationError, match="another codebook"):
        theme_create(codebook=other, name="Chips", parent=themes["divide"])


def test_theme_update_renames_and_moves(themes):
    theme_update(theme=themes["regulation"], name="Rules", description="Laws.", parent=themes["divide"])
    moved = Theme.objects.get(pk=themes["regulation"].pk)
    assert (moved.name, moved.description, moved.parent) == ("Rules", "Laws.", themes["divide"])


def test_deleting_a_theme_deletes_its_sub_themes_and_keeps_the_codings(survey, coders, themes):
    answer = answer_of(respond(survey))
    segment = segment_code(
        answer=answer, coder=coders[0], start=0, end=5, themes=[themes["compute"], themes["regulation"]]
    )
    theme_delete(theme=themes["divide"])
    assert not Theme.objects.filter(pk__in=[themes["divide"].pk, themes["compute"].pk]).exists()
    assert list(CodedSegment.objects.get(pk=segment.pk).themes.all()) == [themes["regulation"]]


# Coded passages ---------------------------------------------------------------------------------


def test_each_coding_records_its_coder_and_coders_code_independently(survey, coders, themes):
    answer = answer_of(respond(survey))
    first = segment_code(
        answer=answer, coder=coders[0], start=0, end=len(answer.text), themes=[themes["divide"]]
    )
    second = segment_code(
        answer=answer, coder=coders[1], start=0, end=len(answer.text), themes=[themes["regulation"]]
    )
    assert first.pk != second.pk
    assert {(segment.coder, *segment.themes.all()) for segment in CodedSegment.objects.all()} == {
        (coders[0], themes["divide"]),
        (coders[1], themes["regulation"]),
    }


def test_recoding_the_same_passage_updates_instead_of_duplicating(survey, coders, themes):
    answer = answer_of(respond(survey))
    segment_code(answer=answer, coder=coders[0], start=0, end=18, themes=[themes["divide"]], memo="First")
    again = segment_code(
        answer=answer, coder=coders[0], start=0, end=18, themes=[themes["regulation"]], memo="Then"
    )
    assert CodedSegment.objects.count() == 1
    assert (list(again.themes.all()), again.memo) == ([themes["regulation"]], "Then")
    segment_code(answer=answer, coder=coders[0], start=19, end=len(answer.text), themes=[themes["divide"]])
    assert CodedSegment.objects.count() == 2


def test_a_passage_may_be_coded_without_themes(survey, coders):
    answer = answer_of(respond(survey))
    segment = segment_code(answer=answer, coder=coders[0], start=0, end=4, themes=[], memo="Nothing fits")
    assert segment.themes.count() == 0 and segment.memo == "Nothing fits"


@pytest.mark.parametrize(
    ("start", "end"), [(-1, 4), (0, len(WHY) + 1), (5, 5), (9, 3), (len(WHY), len(WHY) + 2)]
)
def test_offsets_must_lie_within_the_answer(survey, coders, themes, start, end):
    answer = answer_of(respond(survey))
    with pytest.raises(ValidationError, match="not within the answer"):
        segment_code(answer=answer, coder=coders[0], start=start, end=end, themes=[themes["divide"]])
    assert not CodedSegment.objects.exists()


def test_the_whole_answer_is_zero_to_its_length(survey, coders):
    answer = answer_of(respond(survey, why="数字鸿沟正在扩大。"))
    segment = segment_code(answer=answer, coder=coders[0], start=0, end=9, themes=[])
    assert answer.text[segment.start : segment.end] == "数字鸿沟正在扩大。"


def test_themes_must_come_from_the_surveys_codebook(survey, coders):
    other = codebook_for_survey(survey=open_questions_survey())
    foreign = theme_create(codebook=other, name="Elsewhere")
    answer = answer_of(respond(survey))
    with pytest.raises(ValidationError, match="codebook of this survey"):
        segment_code(answer=answer, coder=coders[0], start=0, end=4, themes=[foreign])


def test_only_long_text_answers_of_submitted_responses_are_coded(survey, coders):
    with pytest.raises(ValidationError, match="long-text"):
        segment_code(answer=answer_of(respond(survey), "title"), coder=coders[0], start=0, end=3, themes=[])
    with pytest.raises(ValidationError, match="long-text"):
        segment_code(
            answer=answer_of(respond(survey, submit=False)), coder=coders[0], start=0, end=3, themes=[]
        )


def test_a_coder_removes_only_their_own_codings(survey, coders):
    answer = answer_of(respond(survey))
    segment = segment_code(answer=answer, coder=coders[0], start=0, end=4, themes=[])
    with pytest.raises(ValidationError):
        segment_uncode(segment=segment, coder=coders[1])
    segment_uncode(segment=segment, coder=coders[0])
    assert not CodedSegment.objects.exists()


# The answers to code ----------------------------------------------------------------------------


def test_answers_to_code_are_the_long_text_answers_of_submitted_responses(survey, coders):
    submitted = respond(survey, risks="Loss of control.")
    respond(survey, submit=False)
    answers = answers_to_code(survey=survey, coder=coders[0])
    assert [(answer.response_id, answer.question.code) for answer in answers] == [
        (submitted.pk, "why"),
        (submitted.pk, "risks"),
    ]


def test_answers_to_code_filter_by_question_region_sector_and_language(survey, coders):
    brazil = respond(survey, country="BR", sector=Sector.ACADEMIA, language="en", risks="Misuse.")
    kenya = respond(survey, country="KE", sector=Sector.GOVERNMENT, language="en")
    china = respond(survey, country="CN", sector=Sector.ACADEMIA, language="zh-hans", why="算力不足。")

    def responses(**filters):
        return [answer.response_id for answer in answers_to_code(survey=survey, coder=coders[0], **filters)]

    assert responses(question_code="risks") == [brazil.pk]
    assert responses(question_code="why", region="Africa") == [kenya.pk]
    assert responses(question_code="why", sector=Sector.ACADEMIA) == [brazil.pk, china.pk]
    assert responses(language="zh-hans") == [china.pk]
    assert responses(region="Asia", sector=Sector.GOVERNMENT) == []


def test_the_status_filter_counts_only_the_coders_own_codings(survey, coders):
    mine, theirs, nobodys = (answer_of(respond(survey)) for _ in range(3))
    segment_code(answer=mine, coder=coders[0], start=0, end=4, themes=[])
    segment_code(answer=theirs, coder=coders[1], start=0, end=4, themes=[])

    def ids(status, coder=coders[0]):
        return {answer.pk for answer in answers_to_code(survey=survey, coder=coder, status=status)}

    assert ids("coded_by_me") == {mine.pk}
    assert ids("uncoded_by_me") == {theirs.pk, nobodys.pk}
    assert ids("all") == {mine.pk, theirs.pk, nobodys.pk}
    assert ids("coded_by_me", coders[1]) == {theirs.pk}
    with pytest.raises(ValueError, match="status"):
        ids("everything")


def test_answers_to_code_carry_only_the_coders_own_segments(survey, coders, themes):
    answer = answer_of(respond(survey))
    segment_code(answer=answer, coder=coders[0], start=0, end=4, themes=[themes["divide"]])
    segment_code(answer=answer, coder=coders[1], start=5, end=9, themes=[themes["regulation"]])
    (loaded,) = answers_to_code(survey=survey, coder=coders[1])
    assert [(segment.coder_id, segment.start) for segment in loaded.coder_segments] == [(coders[1].pk, 5)]


def test_surveys_for_coding_count_answers_and_the_coders_codings(survey, coders):
    answers = [answer_of(respond(survey)) for _ in range(3)]
    segment_code(answer=answers[0], coder=coders[0], start=0, end=4, themes=[])
    segment_code(answer=answers[0], coder=coders[0], start=5, end=9, themes=[])
    segment_code(answer=answers[1], coder=coders[1], start=0, end=4, themes=[])
    closed_ended = SurveyFactory()
    QuestionFactory(section=SectionFactory(survey=closed_ended, position=1), code="agree", type="likert")
    (listed,) = surveys_for_coding(coder=coders[0])
    assert (listed, listed.answer_count, listed.coded_count) == (survey, 3, 1)


# The codebook as CSV ----------------------------------------------------------------------------


def csv_file(text: str, *, bom: bool = False) -> io.BytesIO:
    return io.BytesIO(("\ufeff" if bom else "").encode() + text.encode())


def test_an_exported_codebook_imports_unchanged_into_another(themes):
    theme_update(theme=themes["regulation"], name="=Rules", description="-laws, @standards", parent=None)
    exported = codebook_export_csv(codebook=themes["divide"].codebook)
    assert exported.splitlines() == [
        "name,description,parent",
        "AI divide,,",
        "Access to compute,,AI divide",
        "'=Rules,\"'-laws, @standards\",",
    ]
    other = codebook_for_survey(survey=open_questions_survey())
    result = codebook_import_csv(codebook=other, file=csv_file(exported, bom=True))
    assert (result.stored, result.created, result.updated, result.errors) == (True, 3, 0, [])
    assert codebook_export_csv(codebook=other) == exported
    assert other.themes.get(name="=Rules").description == "-laws, @standards"


def test_import_updates_themes_by_name_and_keeps_the_others(themes):
    codebook = themes["divide"].codebook
    result = codebook_import_csv(
        codebook=codebook,
        file=csv_file(
            "Name,Description,Parent\nRegulation,Laws and standards.,AI divide\nChips,,AI divide\n"
        ),
    )
    assert (result.created, result.updated) == (1, 1)
    regulation = Theme.objects.get(pk=themes["regulation"].pk)
    assert (regulation.description, regulation.parent) == ("Laws and standards.", themes["divide"])
    assert codebook.themes.count() == 4


def test_a_bad_codebook_file_reports_every_error_by_row_and_stores_nothing(themes):
    codebook = themes["divide"].codebook
    text = (
        "name,description,parent\n"
        "Open source,Models and weights.,\n"  # row 2: fine
        ",No name.,\n"  # row 3
        "Open source,Again.,\n"  # row 4
        "Safety,,Nowhere\n"  # row 5
        "Chips,,Access to compute\n"  # row 6: a sub-theme of a sub-theme
        "Self,,Self\n"  # row 7
        "AI divide,,Regulation\n"  # row 8: has sub-themes
        f"{'x' * 201},,\n"  # row 9
    )
    result = codebook_import_csv(codebook=codebook, file=csv_file(text))
    assert not result.stored
    assert [(error.row, error.column) for error in result.errors] == [
        (3, "name"),
        (4, "name"),
        (5, "parent"),
        (6, "parent"),
        (7, "parent"),
        (8, "parent"),
        (9, "name"),
    ]
    assert "row 4, name: “Open source” already appears on row 2" in [str(error) for error in result.errors]
    assert codebook.themes.count() == 3
    assert not codebook.themes.filter(name="Open source").exists()


def test_a_codebook_file_needs_a_name_column(themes):
    result = codebook_import_csv(codebook=themes["divide"].codebook, file=csv_file("title,parent\nX,\n"))
    assert [(error.row, error.column) for error in result.errors] == [(1, "name")]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        ("name\nBeschr\u00e4nkung\n".encode("latin-1"), "UTF-8"),
        (b"x" * (1024 * 1024 + 1), "1 MB"),
    ],
)
def test_an_unreadable_codebook_file_is_refused_with_a_reason(survey, content, message):
    with pytest.raises(CodebookImportError, match=message):
        codebook_import_csv(codebook=codebook_for_survey(survey=survey), file=io.BytesIO(content))


# The demo ---------------------------------------------------------------------------------------


def test_the_demo_codes_about_forty_answers_by_two_mostly_agreeing_coders_and_proposes_quotes(db):
    survey = seed_demo(experts=80, seed=5).survey
    coders = [
        services.user_create_with_role(username=name, password=DEMO_PASSWORD, role=roles.RESEARCHER)
        for name in ("researcher", "researcher2")
    ]
    seed_demo_coding(survey=survey, coders=coders, rng=random.Random(5))
    themes = Theme.objects.filter(codebook=codebook_for_survey(survey=survey))
    assert 6 <= themes.count() <= 10 and themes.filter(parent__isnull=False).exists()
    coded = {coder: set(coder.coded_segments.values_list("answer", flat=True)) for coder in coders}
    assert len(coded[coders[0]]) == 40 and coded[coders[0]] == coded[coders[1]]
    readings = {
        coder: {
            segment.answer_id: {theme.pk for theme in segment.themes.all()}
            for segment in coder.coded_segments.prefetch_related("themes")
        }
        for coder in coders
    }
    agreeing = sum(readings[coders[0]][answer] == readings[coders[1]][answer] for answer in coded[coders[0]])
    assert 25 <= agreeing < 40
    quotes = Quote.objects.select_related("answer__response")
    assert 4 <= len(quotes) <= 6
    assert {quote.answer.response.attribution for quote in quotes} <= {"named", "anonymous"}
    assert any(quote.translation and quote.answer.response.language == "zh-hans" for quote in quotes)
    seed_demo_coding(survey=survey, coders=coders, rng=random.Random(5))
    assert CodedSegment.objects.count() == 80
