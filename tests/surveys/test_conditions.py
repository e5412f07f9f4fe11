import pytest
from hypothesis import given
from hypothesis import strategies as st

from surveys.conditions import AnswerValue, condition_holds, visible_question_ids
from surveys.models import Question


@pytest.mark.parametrize(
    ("operator", "expected", "answer", "holds"),
    [
        ("equals", "yes", "yes", True),
        ("equals", "yes", "no", False),
        ("equals", 4, 4.0, True),
        ("equals", "law", ["law", "treaty"], True),
        ("not_equals", "law", ["treaty"], True),
        ("not_equals", "yes", "yes", False),
        ("any_of", ["a", "b"], "b", True),
        ("any_of", ["a", "b"], ["c"], False),
        ("at_least", 4, 5.0, True),
        ("at_least", 4, 3.0, False),
        ("at_most", 2, 2.0, True),
        ("answered", None, "anything", True),
        ("answered", None, [], False),
        ("equals", "yes", None, False),
        ("not_equals", "yes", None, False),
    ],
)
def test_condition_operators(operator, expected, answer, holds):
    assert condition_holds(operator, expected, answer) is holds


@given(st.one_of(st.none(), st.just(""), st.just([])), st.sampled_from([o.value for o in Question.Operator]))
def test_an_unanswered_target_never_shows_a_question(answer, operator):
    assert condition_holds(operator, "x", answer) is False


def test_unknown_operator_is_an_error():
    with pytest.raises(ValueError, match="Unknown show-if operator"):
        condition_holds("between", 1, 1.0)


def _question(pk, type_, target=None, operator="", value=None):
    return Question(
        pk=pk,
        type=type_,
        code=f"q{pk}",
        show_if_question_id=target,
        show_if_operator=operator,
        show_if_value=value,
    )


def test_a_question_behind_a_hidden_question_is_hidden_too():
    questions = [
        _question(1, "likert"),
        _question(2, "single_choice", target=1, operator="at_least", value=4),
        _question(3, "short_text", target=2, operator="equals", value="yes"),
    ]
    shown = visible_question_ids(questions, {1: AnswerValue(number=2), 2: AnswerValue(text="yes")})
    assert shown == {1}
    shown = visible_question_ids(questions, {1: AnswerValue(number=5), 2: AnswerValue(text="yes")})
    assert shown == {1, 2, 3}
