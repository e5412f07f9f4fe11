"""Reads: the answers a coder works through, and the surveys there are to code."""

from typing import Literal

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from surveys.models import Answer, Question, Response, Survey

from ..load import QUESTION_ORDER
from ..models import CodedSegment, Quote

CodingStatus = Literal["all", "uncoded_by_me", "coded_by_me"]
CODING_STATUSES: tuple[CodingStatus, ...] = ("all", "uncoded_by_me", "coded_by_me")


def codable_answers(*, survey: Survey) -> QuerySet[Answer]:
    """The non-empty long-text answers of the submitted responses to ``survey``."""
    return Answer.objects.filter(
        response__survey=survey,
        response__status=Response.Status.SUBMITTED,
        question__type=Question.Type.LONG_TEXT,
    ).exclude(text="")


def answers_to_code(
    *,
    survey: Survey,
    coder: AbstractBaseUser,
    question_code: str | None = None,
    region: str = "",
    sector: str = "",
    language: str = "",
    status: CodingStatus = "all",
) -> QuerySet[Answer]:
    """The answers ``coder`` may code in ``survey`` (``codable_answers``), in questionnaire order,
    then by response, narrowed to a question (by code), a UN region, a sector and a response
    language when given, and by ``status``: every answer, those ``coder`` has not coded yet, or
    those they have (other coders' codings never count).

    Each answer comes with its ``question`` and ``response`` and, prefetched, ``coder_segments``
    (this coder's segments, with their themes) and ``passage_quotes`` (every quote on it), so
    showing a page of answers takes a fixed number of queries. Raises ``ValueError`` for an
    unknown ``status``.
    """
    if status not in CODING_STATUSES:
        raise ValueError(f"Unknown coding status {status!r}; use one of {CODING_STATUSES}.")
    answers = codable_answers(survey=survey)
    narrowing = {
        "question__code": question_code,
        "response__un_region": region,
        "response__sector": sector,
        "response__language": language,
    }
    answers = answers.filter(**{field: value for field, value in narrowing.items() if value})
    if status != "all":
        coded = Exists(CodedSegment.objects.filter(answer=OuterRef("pk"), coder=coder))
        answers = answers.filter(coded if status == "coded_by_me" else ~coded)
    return (
        answers.select_related("question", "response")
        .prefetch_related(
            Prefetch(
                "segments",
                queryset=CodedSegment.objects.filter(coder=coder).prefetch_related("themes"),
                to_attr="coder_segments",
            ),
            Prefetch(
                "quotes", queryset=Quote.objects.order_by("start", "end", "pk"), to_attr="passage_quotes"
            ),
        )
        .order_by(*(f"question__{field}" for field in QUESTION_ORDER), "response_id", "pk")
    )


def surveys_for_coding(*, coder: AbstractBaseUser) -> QuerySet[Survey]:
    """Surveys with long-text questions, newest first, with ``answer_count`` (answers to code)
    and ``coded_count`` (of those, the ones ``coder`` has coded). One query."""

    def counted(answers: QuerySet[Answer]) -> Coalesce:
        per_survey = answers.order_by().values("response__survey").annotate(n=Count("pk")).values("n")
        return Coalesce(Subquery(per_survey, output_field=IntegerField()), Value(0))

    answers = codable_answers(survey=OuterRef("pk"))
    coded = answers.filter(Exists(CodedSegment.objects.filter(answer=OuterRef("pk"), coder=coder)))
    return (
        Survey.objects.filter(
            Exists(Question.objects.filter(survey=OuterRef("pk"), type=Question.Type.LONG_TEXT))
        )
        .annotate(answer_count=counted(answers), coded_count=counted(coded))
        .order_by("-created_at", "-pk")
    )
