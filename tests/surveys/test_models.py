import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from surveys.i18n import localized
from tests.factories import ExpertFactory, QuestionFactory, SurveyFactory


def test_text_in_the_requested_language():
    assert localized({"en": "Hello", "zh-hans": "您好"}, "zh-hans", "en") == "您好"


def test_text_falls_back_to_the_surveys_default_language():
    assert localized({"en": "Hello"}, "zh-hans", "en") == "Hello"


def test_text_matches_on_the_base_language():
    assert localized({"zh": "您好", "en": "Hello"}, "zh-hans", "en") == "您好"


def test_text_falls_back_to_any_language_rather_than_a_blank():
    assert localized({"fr": "Bonjour"}, "zh-hans", "en") == "Bonjour"
    assert localized({}, "en", "en") == ""


@pytest.mark.parametrize("code", ["a__b", "Upper", "-lead", "trail_", "with space"])
def test_question_codes_must_be_simple(db, code):
    question = QuestionFactory.build(code=code, section=QuestionFactory().section)
    question.survey = question.section.survey
    with pytest.raises(ValidationError) as error:
        question.full_clean()
    assert "code" in error.value.message_dict


def test_a_likert_question_needs_5_or_7_points(db):
    question = QuestionFactory(type="likert", scale_points=None)
    with pytest.raises(ValidationError, match="5 or 7 points"):
        question.clean()


def test_question_codes_are_unique_within_a_survey(db):
    first = QuestionFactory(code="same")
    with pytest.raises(IntegrityError):
        QuestionFactory(code="same", section=first.section, survey=first.survey)


def test_expert_emails_are_unique_whatever_their_case(db):
    ExpertFactory(email="Ada@Example.org")
    with pytest.raises(IntegrityError):
        ExpertFactory(email="ada@example.org")


def test_a_survey_offers_only_known_languages(db):
    survey = SurveyFactory.build(languages=["en", "tlh"])
    with pytest.raises(ValidationError, match="tlh"):
        survey.clean()


def test_a_survey_accepts_answers_only_between_its_dates(db):
    now = timezone.now()
    survey = SurveyFactory(
        opens_at=now - timezone.timedelta(days=1), closes_at=now + timezone.timedelta(days=1)
    )
    assert survey.is_accepting_answers(now)
    assert not survey.is_accepting_answers(now + timezone.timedelta(days=2))
    assert survey.has_closed(now + timezone.timedelta(days=2))
    assert not survey.is_accepting_answers(now - timezone.timedelta(days=2))
    assert not survey.has_closed(now - timezone.timedelta(days=2))
