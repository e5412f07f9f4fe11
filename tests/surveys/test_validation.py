"""A questionnaire is checked before it opens; every problem names where it is."""

import pytest

from surveys.validation import survey_problems
from tests.factories import QuestionFactory, SectionFactory, SurveyFactory, add_choices, every_type_survey


def messages(survey) -> list[str]:
    return [str(problem) for problem in survey_problems(survey=survey)]


def test_the_every_type_survey_is_valid(db):
    assert messages(every_type_survey()) == []


def test_a_choice_question_without_choices(db):
    question = QuestionFactory(code="pick", type="single_choice")
    assert messages(question.survey) == ["pick: a choice question needs at least two choices"]


def test_a_ranking_asking_for_more_items_than_it_has(db):
    question = QuestionFactory(code="rank", type="ranking", rank_top_k=4)
    add_choices(question, "a", "b", "c")
    assert messages(question.survey) == ["rank: asks to rank the top 4 of only 3 items"]


@pytest.fixture
def two_questions(db):
    section = SectionFactory(survey=SurveyFactory())
    first = QuestionFactory(section=section, position=1, code="first", type="likert", scale_points=5)
    second = QuestionFactory(section=section, position=2, code="second", type="single_choice")
    add_choices(second, "yes", "no")
    return first, second


def test_a_condition_on_a_later_question(two_questions):
    first, second = two_questions
    first.show_if_question, first.show_if_operator, first.show_if_value = second, "equals", "yes"
    first.save()
    assert messages(first.survey) == [
        "first: the show-if condition points at “second”, which does not come earlier"
    ]


def test_a_condition_on_another_surveys_question(two_questions):
    _first, second = two_questions
    stranger = QuestionFactory(code="stranger")
    second.show_if_question, second.show_if_operator = stranger, "answered"
    second.save()
    assert messages(second.survey) == [
        "second: the show-if condition points at a question not in this survey"
    ]


@pytest.mark.parametrize(
    ("operator", "value", "message"),
    [
        ("at_least", 6, "6 is outside the answers “first” allows"),
        ("equals", "many", "“many” is not a number"),
        ("equals", None, "the condition needs a value"),
    ],
)
def test_an_impossible_condition_on_a_scale(two_questions, operator, value, message):
    first, second = two_questions
    second.show_if_question, second.show_if_operator, second.show_if_value = first, operator, value
    second.save()
    assert messages(second.survey) == [f"second: the show-if condition is impossible: {message}"]


def test_an_impossible_condition_on_a_choice(two_questions):
    _first, second = two_questions
    third = QuestionFactory(
        section=second.section,
        position=3,
        code="third",
        show_if_question=second,
        show_if_operator="any_of",
        show_if_value=["yes", "maybe"],
    )
    assert messages(third.survey) == [
        "third: the show-if condition is impossible: “second” has no choice maybe"
    ]


def test_a_numeric_comparison_on_a_choice_question(two_questions):
    _first, second = two_questions
    third = QuestionFactory(
        section=second.section,
        position=3,
        code="third",
        show_if_question=second,
        show_if_operator="at_least",
        show_if_value=1,
    )
    assert messages(third.survey) == [
        "third: the show-if condition is impossible: "
        "“at_least” compares numbers, but “second” is not a number question"
    ]


def test_every_problem_is_reported_at_once(db):
    survey = SurveyFactory()
    SectionFactory(survey=survey, position=1)
    section = SectionFactory(survey=survey, position=2)
    QuestionFactory(section=section, code="likert", type="likert", scale_points=6)
    QuestionFactory(section=section, code="bounds", type="number", min_value=10, max_value=1)
    QuestionFactory(section=section, code="untitled", text={"zh-hans": "只有中文"})
    assert messages(survey) == [
        "section 1: the section has no questions",
        "likert: a Likert scale has 5 or 7 points",
        "bounds: the lower bound is above the upper bound",
        "untitled: no text in the survey's default language",
    ]


def test_two_sections_at_one_position(db):
    survey = SurveyFactory()
    for _ in range(2):
        QuestionFactory(section=SectionFactory(survey=survey, position=3))
    assert messages(survey) == ["section 3: 2 sections share this position"]
