"""Factories shared by the tests: a realistic survey in a few lines."""

import factory
from django.utils import timezone

from surveys import selectors, services
from surveys.models import Choice, Expert, Question, Response, Section, Sector, Series, Survey


class SeriesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Series
        django_get_or_create = ("slug",)

    slug = "test-series"
    title = "Test series"


class SurveyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Survey

    series = factory.SubFactory(SeriesFactory)
    wave_label = "2026"
    slug = factory.Sequence(lambda n: f"survey-{n}")
    title = {"en": "AI governance survey", "zh-hans": "人工智能治理调查"}
    description = {"en": "About the study.", "zh-hans": "关于本研究。"}
    consent_text = {"en": "We ask for your consent.", "zh-hans": "请您同意。"}
    status = Survey.Status.OPEN
    opens_at = factory.LazyFunction(lambda: timezone.now() - timezone.timedelta(days=1))
    closes_at = factory.LazyFunction(lambda: timezone.now() + timezone.timedelta(days=30))
    languages = ["en", "zh-hans"]
    default_language = "en"


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    survey = factory.SubFactory(SurveyFactory)
    position = factory.Sequence(lambda n: n + 1)
    title = factory.LazyAttribute(lambda o: {"en": f"Section {o.position}", "zh-hans": f"第{o.position}部分"})


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    section = factory.SubFactory(SectionFactory)
    survey = factory.SelfAttribute("section.survey")
    position = factory.Sequence(lambda n: n + 1)
    code = factory.Sequence(lambda n: f"q{n}")
    type = Question.Type.SHORT_TEXT
    text = factory.LazyAttribute(lambda o: {"en": f"Question {o.code}?", "zh-hans": f"问题 {o.code}？"})


class ChoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Choice

    question = factory.SubFactory(QuestionFactory)
    position = factory.Sequence(lambda n: n + 1)
    code = factory.Sequence(lambda n: f"c{n}")
    label = factory.LazyAttribute(lambda o: {"en": f"Option {o.code}", "zh-hans": f"选项 {o.code}"})


class ExpertFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Expert

    name = factory.Sequence(lambda n: f"Expert {n}")
    email = factory.Sequence(lambda n: f"expert{n}@example.org")
    organisation = "Example University"
    country = "BR"
    sector = Sector.ACADEMIA
    expertise = "AI policy"
    preferred_language = "en"


def add_choices(question: Question, *codes: str, other: str = "", exclusive: str = "") -> None:
    """Give a question its choices, in order; ``other``/``exclusive`` name the special ones."""
    for position, code in enumerate(codes, start=1):
        ChoiceFactory(
            question=question,
            position=position,
            code=code,
            label={"en": code.replace("_", " ").capitalize(), "zh-hans": f"选项{position}"},
            is_other=code == other,
            is_exclusive=code == exclusive,
        )


def invite(survey: Survey, expert: Expert | None = None, **kwargs):
    """An invitation and its link token."""
    return services.invitation_create(survey=survey, expert=expert or ExpertFactory(), **kwargs)


def every_type_survey(**survey_fields) -> Survey:
    """A two-section survey with one question of each type and two show-if conditions:
    ``why_agree`` (same page) when ``agree`` ≥ 4, and ``org_detail`` (next page) when
    ``org_kind`` is ``other_kind``.
    """
    survey = SurveyFactory(**survey_fields)
    first = SectionFactory(survey=survey, position=1)
    second = SectionFactory(survey=survey, position=2)
    q = {}
    q["agree"] = QuestionFactory(
        section=first, position=1, code="agree", type="likert", scale_points=5, required=True
    )
    q["why_agree"] = QuestionFactory(
        section=first,
        position=2,
        code="why_agree",
        type="long_text",
        required=True,
        show_if_question=q["agree"],
        show_if_operator="at_least",
        show_if_value=4,
    )
    q["org_kind"] = QuestionFactory(section=first, position=3, code="org_kind", type="single_choice")
    add_choices(q["org_kind"], "public", "private", "other_kind", other="other_kind")
    q["tools"] = QuestionFactory(section=first, position=4, code="tools", type="multiple_choice")
    add_choices(q["tools"], "law", "standards", "treaty", "other", "none", other="other", exclusive="none")
    q["priorities"] = QuestionFactory(
        section=second, position=1, code="priorities", type="ranking", rank_top_k=2
    )
    add_choices(q["priorities"], "access", "voice", "capacity", "safety")
    q["outlook"] = QuestionFactory(section=second, position=2, code="outlook", type="scale_0_10")
    q["years"] = QuestionFactory(
        section=second, position=3, code="years", type="number", min_value=0, max_value=60
    )
    q["title"] = QuestionFactory(section=second, position=4, code="title", type="short_text")
    q["home"] = QuestionFactory(section=second, position=5, code="home", type="country")
    q["org_detail"] = QuestionFactory(
        section=second,
        position=6,
        code="org_detail",
        type="short_text",
        show_if_question=q["org_kind"],
        show_if_operator="equals",
        show_if_value="other_kind",
    )
    return survey


def take_part(
    survey, answers, *, expert=None, submit=True, interviewer=None, attribution="anonymous"
) -> Response:
    """An expert answers ``survey`` through the real services, page by page, and submits.
    ``answers`` maps question codes to ``AnswerValue``s."""
    invitation, _token = invite(survey, expert or ExpertFactory())
    response = services.response_open(invitation=invitation, interviewer=interviewer)
    services.response_give_consent(response=response, attribution=attribution)
    questionnaire = selectors.questionnaire_for_survey(survey=survey)
    questions = {question.code: question for question in questionnaire.questions}
    for section in questionnaire.sections:
        page = {
            questions[code].pk: value
            for code, value in answers.items()
            if questions[code].section_id == section.pk
        }
        services.response_save_page(
            response=response, questionnaire=questionnaire, section=section, values=page, next_section=None
        )
    if submit:
        services.response_submit(response=response, questionnaire=questionnaire)
    return response
