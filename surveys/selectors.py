"""Reads. Each selector owns its select_related/prefetch_related, so query counts stay flat."""

from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Prefetch, QuerySet, Subquery, Value

from .conditions import AnswerValue, visible_question_ids
from .models import Answer, Choice, Invitation, Question, Response, Section, Survey
from .tokens import token_hash


@dataclass
class Questionnaire:
    """A survey's whole questionnaire, loaded in three queries and navigated in memory."""

    survey: Survey
    sections: list[Section]
    questions: list[Question]
    _by_section: dict[int, list[Question]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for section in self.sections:
            self._by_section[section.pk] = []
        for question in self.questions:
            question.survey = self.survey
            self._by_section[question.section_id].append(question)

    def questions_in(self, section: Section) -> list[Question]:
        return self._by_section[section.pk]

    def section_at(self, position: int) -> Section | None:
        return next((section for section in self.sections if section.position == position), None)

    def visible_sections(self, answers: dict[int, AnswerValue]) -> list[Section]:
        """Sections with at least one question shown; empty ones are skipped in navigation."""
        visible = visible_question_ids(self.questions, answers)
        return [s for s in self.sections if any(q.pk in visible for q in self.questions_in(s))]


def questionnaire_for_survey(*, survey: Survey) -> Questionnaire:
    sections = list(survey.sections.order_by("position", "pk"))
    questions = list(
        Question.objects.filter(survey=survey)
        .select_related("show_if_question")
        .prefetch_related(Prefetch("choices", queryset=Choice.objects.order_by("position", "pk")))
        .order_by("section__position", "section_id", "position", "pk")
    )
    return Questionnaire(survey=survey, sections=sections, questions=questions)


def invitation_for_token(*, token: str) -> Invitation | None:
    """The invitation behind a link's token, with its survey, expert and response, or None."""
    return (
        Invitation.objects.select_related("survey", "expert", "response")
        .filter(token_hash=token_hash(token))
        .first()
    )


def invitation_for_interview(*, invitation_id: int) -> Invitation | None:
    return Invitation.objects.select_related("survey", "expert", "response").filter(pk=invitation_id).first()


def answers_for_response(*, response: Response | None) -> dict[int, AnswerValue]:
    """Stored answers keyed by question id."""
    if response is None or response.pk is None:
        return {}
    rows = Answer.objects.filter(response=response).values_list(
        "question_id", "number", "text", "codes", "other_text"
    )
    return {
        question_id: AnswerValue(number=number, text=text, codes=codes or [], other_text=other_text)
        for question_id, number, text, codes, other_text in rows
    }


def interviews_for_user(*, user: AbstractBaseUser) -> QuerySet[Invitation]:
    """Invitations the user may interview for: all of them with the any-interview permission,
    otherwise those assigned to the user; revoked invitations are left out."""
    invitations = Invitation.objects.select_related("survey", "expert", "response").filter(
        revoked_at__isnull=True
    )
    if not user.has_perm("surveys.conduct_any_interview"):
        invitations = invitations.filter(interviewer=user)
    return invitations.order_by("survey__slug", "expert__name")


def one_value(queryset: QuerySet, aggregate) -> Subquery:
    """``aggregate`` over the rows of ``queryset``, as a subquery giving one value."""
    return Subquery(
        queryset.order_by().annotate(one=Value(1)).values("one").annotate(value=aggregate).values("value")
    )
