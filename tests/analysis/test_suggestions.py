"""Suggestions for coders: TF-IDF terms of a question's answers (Chinese segmented into words) and
the themes an answer resembles. Suggestions are only returned, never applied."""

import pytest
from django.contrib.auth import get_user_model

from analysis.models import Codebook, CodedSegment, Theme
from analysis.suggestions import distinctive_terms, suggest_themes, terms
from surveys.conditions import AnswerValue
from surveys.models import Answer, Sector
from tests.analysis.test_load import take_part
from tests.factories import ExpertFactory, QuestionFactory, SectionFactory, SurveyFactory

SOUTH, NORTH = "BR", "DE"


@pytest.fixture
def survey(db):
    survey = SurveyFactory(min_group_size=3)
    section = SectionFactory(survey=survey, position=1)
    QuestionFactory(section=section, position=1, code="why", type="long_text")
    return survey


def respond(survey, text: str, *, country: str = SOUTH, sector: str = Sector.ACADEMIA, submit=True) -> Answer:
    response = take_part(
        survey,
        {"why": AnswerValue(text=text)},
        expert=ExpertFactory(country=country, sector=sector),
        submit=submit,
    )
    return response.answers.get()


def test_chinese_is_segmented_into_words_and_word_pairs():
    found = terms("我们担心数字鸿沟会继续扩大，全球南方需要更多算力。")
    assert "数字鸿沟" in found
    assert {"数字", "鸿沟", "扩大", "全球南方"} <= set(found)
    assert "我们担心数字鸿沟会继续扩大" not in found
    assert not {"数", "字", "的", "我们", "会"} & set(found)


def test_english_is_lower_cased_without_stop_words():
    found = terms("The Digital Divide isn't closing: access to compute is the bottleneck.")
    assert {"digital", "divide", "digital divide", "access", "compute", "bottleneck"} <= set(found)
    assert not {"the", "is", "to", "isn't", "divide closing", "closing access"} & set(found)


def test_distinctive_terms_rank_what_many_answers_say(survey):
    for text in ["Compute is scarce.", "Compute costs too much.", "Compute and data.", "Data matters."]:
        respond(survey, text)
    table = distinctive_terms(survey=survey, question_code="why")
    assert list(table.columns) == ["term", "score", "n_answers"]
    assert table["term"].iloc[0] == "compute"
    assert table.set_index("term").loc["compute", "n_answers"] == 3


def test_a_term_from_a_single_answer_is_never_shown(survey):
    respond(survey, "As Jane Roe told me, compute is scarce.")
    respond(survey, "Compute is scarce everywhere.")
    assert "jane" not in set(distinctive_terms(survey=survey, question_code="why")["term"])


def test_chinese_answers_give_chinese_terms(survey):
    for text in ["数字鸿沟正在扩大。", "我们担心数字鸿沟。", "数字鸿沟与算力不足。"]:
        respond(survey, text)
    assert "数字鸿沟" in set(distinctive_terms(survey=survey, question_code="why")["term"])


def test_distinctive_terms_find_a_word_planted_in_one_group(survey):
    for number in range(4):
        respond(survey, f"Data sovereignty matters for us, case {number}.", country=SOUTH)
        respond(survey, f"Data protection matters for us, case {number}.", country=NORTH)
    table = distinctive_terms(survey=survey, question_code="why", by="north_south")
    assert list(table.columns) == ["north_south", "term", "score", "mean_group", "mean_rest", "n_answers"]
    south = table.loc[table["north_south"].eq("south")]
    north = table.loc[table["north_south"].eq("north")]
    assert south["term"].iloc[0] in {"sovereignty", "data sovereignty"}
    assert "sovereignty" not in set(north["term"])
    assert "protection" in set(north["term"].head(2))
    assert (table["score"] > 0).all()


def test_groups_smaller_than_k_get_no_terms(survey):
    for number in range(3):
        respond(survey, f"Data sovereignty, case {number}.", country=SOUTH)
    respond(survey, "Data protection first.", country=NORTH)
    respond(survey, "Data protection again.", country=NORTH)
    table = distinctive_terms(survey=survey, question_code="why", by="north_south")
    assert set(table["north_south"]) == {"south"}


def test_drafts_are_not_read(survey):
    respond(survey, "Sovereignty sovereignty.", submit=False)
    respond(survey, "Sovereignty again.", submit=False)
    assert distinctive_terms(survey=survey, question_code="why").empty


# Suggested themes.

COMPUTE_PASSAGES = [
    "We cannot afford GPU compute for training models.",
    "Access to compute and GPU clusters is the bottleneck.",
    "Cloud compute prices keep local labs out.",
]
PRIVACY_PASSAGES = [
    "Personal data protection laws are weak.",
    "Privacy of health data worries regulators.",
    "Data protection authorities lack staff.",
]


@pytest.fixture
def coders(db):
    return [get_user_model().objects.create_user(username=name) for name in ("coder-a", "coder-b")]


@pytest.fixture
def themes(survey):
    codebook = Codebook.objects.create(survey=survey, name="Interviews")
    return (
        Theme.objects.create(codebook=codebook, name="Compute", position=1),
        Theme.objects.create(codebook=codebook, name="Privacy", position=2),
    )


def code(answer: Answer, coder, *themes: Theme) -> CodedSegment:
    segment = CodedSegment.objects.create(answer=answer, coder=coder, start=0, end=len(answer.text))
    segment.themes.set(themes)
    return segment


@pytest.fixture
def coded(survey, coders, themes):
    """Three passages coded Compute and three coded Privacy, by the first coder."""
    compute, privacy = themes
    for text in COMPUTE_PASSAGES:
        code(respond(survey, text), coders[0], compute)
    for text in PRIVACY_PASSAGES:
        code(respond(survey, text), coders[0], privacy)


def test_the_theme_whose_passages_an_answer_resembles_comes_first(survey, themes, coded):
    answer = respond(survey, "Without affordable GPU compute our lab cannot train anything.")
    suggestions = suggest_themes(answer=answer)
    assert suggestions[0][0] == themes[0]
    assert all(0 < score <= 1 for _theme, score in suggestions)
    assert [score for _theme, score in suggestions] == sorted((s for _t, s in suggestions), reverse=True)


def test_an_answer_like_no_passage_gets_no_suggestion(survey, coded):
    answer = respond(survey, "Tourism and football dominate the evening news.")
    assert suggest_themes(answer=answer) == []


def test_a_theme_with_a_single_coded_passage_is_never_suggested(survey, coders, themes):
    compute, privacy = themes
    code(respond(survey, COMPUTE_PASSAGES[0]), coders[0], compute)
    code(respond(survey, PRIVACY_PASSAGES[0]), coders[0], privacy)
    code(respond(survey, PRIVACY_PASSAGES[1]), coders[0], privacy)
    answer = respond(survey, "We cannot afford GPU compute for training.")
    assert compute not in [theme for theme, _score in suggest_themes(answer=answer)]


def test_the_answer_own_coding_does_not_vote_for_itself(survey, coders, themes):
    compute, _privacy = themes
    answer = respond(survey, "GPU compute is out of reach.")
    code(answer, coders[0], compute)
    code(answer, coders[1], compute)
    assert suggest_themes(answer=answer) == []


def test_suggestions_can_follow_one_coders_passages(survey, coders, themes, coded):
    answer = respond(survey, "Without affordable GPU compute our lab cannot train anything.")
    assert suggest_themes(answer=answer, coder=coders[1]) == []
    assert suggest_themes(answer=answer, coder=coders[0])[0][0] == themes[0]


def test_suggesting_never_codes_anything(survey, coded, django_assert_max_num_queries):
    answer = respond(survey, "GPU compute and data protection.")
    before = CodedSegment.objects.count()
    with django_assert_max_num_queries(3):
        suggestions = suggest_themes(answer=answer, top=1)
    assert len(suggestions) == 1
    assert CodedSegment.objects.count() == before
    assert not answer.segments.exists()
