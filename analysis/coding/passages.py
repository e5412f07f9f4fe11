"""Coded passages: where a passage lies in an answer, also after the expert edited it, and coding
or uncoding one (a coder's own segment)."""

from collections.abc import Iterable
from typing import TypeVar

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from surveys.models import Answer, Question

from ..models import CodedSegment, Quote, Theme
from .codebook import codebook_for_survey


def passage_check(*, answer: Answer, start: int, end: int) -> None:
    """Raise ``ValidationError`` unless ``answer.text[start:end]`` is a non-empty passage."""
    length = len(answer.text)
    if not 0 <= start < end <= length:
        raise ValidationError(
            _("The passage %(start)d–%(end)d is not within the answer, which is %(length)d characters long.")
            % {"start": start, "end": end, "length": length}
        )


def passage_span(*, text: str, start: int, end: int, passage: str) -> tuple[int, int] | None:
    """Where a coded or quoted ``passage`` is in ``text`` now: ``(start, end)`` while the text
    there is unchanged; after the expert edited the answer, the occurrence of ``passage`` nearest
    the old ``start``; None when the edit removed it. A mark without a stored passage keeps its
    offsets while they lie within the text."""
    if text[start:end] == passage or (not passage and 0 <= start < end <= len(text)):
        return start, end
    if not passage:
        return None
    occurrences = []
    at = text.find(passage)
    while at != -1:
        occurrences.append(at)
        at = text.find(passage, at + 1)
    if not occurrences:
        return None
    nearest = min(occurrences, key=lambda occurrence: abs(occurrence - start))
    return nearest, nearest + len(passage)


Mark = TypeVar("Mark", CodedSegment, Quote)


def placed(*, text: str, marks: Iterable[Mark]) -> tuple[list[Mark], list[Mark]]:
    """(the coded segments or quotes ``marks`` on an answer whose passages are still in its
    ``text``, each with ``start``/``end`` set — in memory, not saved — to where the passage is now
    (``passage_span``); the marks whose passage the expert's edit removed)."""
    kept, lost = [], []
    for mark in marks:
        span = passage_span(text=text, start=mark.start, end=mark.end, passage=mark.passage)
        if span is None:
            lost.append(mark)
        else:
            mark.start, mark.end = span
            kept.append(mark)
    return kept, lost


def mark_at(*, text: str, marks: Iterable[Mark], start: int, end: int) -> Mark | None:
    """The first of ``marks`` whose passage is now at ``text[start:end]`` (``placed``), its offsets
    set there in memory; None when there is none. Marking a passage again finds its mark even
    after an edit of the answer moved it."""
    kept, _lost = placed(text=text, marks=marks)
    return next((mark for mark in kept if (mark.start, mark.end) == (start, end)), None)


def codable_check(*, answer: Answer) -> None:
    """Raise ``ValidationError`` unless ``answer`` is a long-text answer of a submitted response."""
    if answer.question.type != Question.Type.LONG_TEXT or not answer.response.is_submitted:
        raise ValidationError(_("Only long-text answers of submitted responses can be coded."))


def segment_code(
    *,
    answer: Answer,
    coder: AbstractBaseUser,
    start: int,
    end: int,
    themes: list[Theme] | QuerySet[Theme],
    memo: str = "",
) -> CodedSegment:
    """``coder``'s coding of the passage ``answer.text[start:end]`` with ``themes`` (possibly none:
    read, no theme applies) and a memo. Coding the same passage again replaces that coder's themes
    and memo instead of adding a segment. Raises ``ValidationError`` for a passage outside the
    answer, an answer that cannot be coded, or a theme not in the survey's codebook."""
    codable_check(answer=answer)
    passage_check(answer=answer, start=start, end=end)
    themes = list(themes)
    codebook = codebook_for_survey(survey=answer.response.survey)
    if any(theme.codebook_id != codebook.pk for theme in themes):
        raise ValidationError(_("Choose themes from the codebook of this survey."))
    passage = answer.text[start:end]
    with transaction.atomic():
        mine = CodedSegment.objects.select_for_update().filter(answer=answer, coder=coder).order_by("pk")
        segment = mark_at(text=answer.text, marks=mine, start=start, end=end)
        if segment is None:
            segment = CodedSegment.objects.create(
                answer=answer, coder=coder, start=start, end=end, passage=passage, memo=memo.strip()
            )
        else:
            segment.passage, segment.memo = passage, memo.strip()
            segment.save(update_fields=["start", "end", "passage", "memo", "updated_at"])
        segment.themes.set(themes)
    return segment


def segment_uncode(*, segment: CodedSegment, coder: AbstractBaseUser) -> None:
    """Remove ``coder``'s coded passage. Raises ``ValidationError`` when it is another coder's."""
    if segment.coder_id != coder.pk:
        raise ValidationError(_("You can remove only your own codings."))
    segment.delete()
