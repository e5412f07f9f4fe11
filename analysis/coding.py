"""Qualitative coding of interview answers: the codebook and its themes, coded passages, and the
answers a coder works through.

A survey is coded with its own codebook or, failing that, its series' codebook (shared by every
wave); ``codebook_for_survey`` creates a survey codebook on first use. Themes nest two levels
deep. A coded passage (``CodedSegment``) belongs to one coder: researchers code independently,
and re-coding the same passage updates that coder's segment rather than adding another.

Offsets are character (code point) offsets into ``Answer.text``: a passage is
``text[start:end]``, the whole answer ``0`` to ``len(text)``.
"""

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Literal, TypeVar

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, IntegerField, Max, OuterRef, Prefetch, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from surveys.models import Answer, Question, Response, Survey
from surveys.services.panel import RowError
from surveys.spreadsheet_safety import FORMULA_TRIGGERS, neutralise_formula

from .load import QUESTION_ORDER
from .models import Codebook, CodedSegment, Quote, Theme

CodingStatus = Literal["all", "uncoded_by_me", "coded_by_me"]
CODING_STATUSES: tuple[CodingStatus, ...] = ("all", "uncoded_by_me", "coded_by_me")

CODEBOOK_COLUMNS = ("name", "description", "parent")
MAX_CODEBOOK_BYTES = 1024 * 1024
MAX_CODEBOOK_ROWS = 1000
MAX_DESCRIPTION_CHARS = 5000
THEME_NAME_CHARS = Theme._meta.get_field("name").max_length


# The codebook and its themes ------------------------------------------------------------------


def codebook_for_survey(*, survey: Survey) -> Codebook:
    """The codebook ``survey`` is coded with: its own, else its series' (shared by every wave),
    else a new codebook of the survey, created here on first use."""

    def existing() -> Codebook | None:
        return (
            Codebook.objects.filter(survey=survey).order_by("pk").first()
            or Codebook.objects.filter(series_id=survey.series_id).order_by("pk").first()
        )

    codebook = existing()
    if codebook is None:
        with transaction.atomic():
            # One creator at a time: two first uses at once must not make two codebooks.
            Survey.objects.select_for_update().filter(pk=survey.pk).first()
            codebook = existing() or Codebook.objects.create(survey=survey, name=str(survey)[:200])
    return codebook


def codebook_themes(*, codebook: Codebook) -> list[Theme]:
    """The themes of ``codebook`` in reading order: each top-level theme, then its sub-themes
    (by position, then name). One query."""
    themes = list(codebook.themes.select_related("parent").order_by("position", "name", "pk"))
    children: dict[int, list[Theme]] = {}
    for theme in themes:
        if theme.parent_id is not None:
            children.setdefault(theme.parent_id, []).append(theme)
    ordered = []
    for theme in themes:
        if theme.parent_id is None:
            ordered += [theme, *children.get(theme.pk, [])]
    return ordered


def _validated(theme: Theme) -> Theme:
    if theme.parent_id is not None and theme.parent_id == theme.pk:
        raise ValidationError({"parent": _("A theme cannot be its own parent.")})
    theme.full_clean()
    theme.save()
    return theme


def theme_create(
    *, codebook: Codebook, name: str, description: str = "", parent: Theme | None = None
) -> Theme:
    """A new theme of ``codebook`` (a sub-theme of ``parent`` when given), placed after its
    siblings. Raises ``ValidationError`` for a blank or taken name or a parent that breaks the
    two-level rule."""
    siblings = codebook.themes.filter(parent=parent)
    last = siblings.aggregate(last=Max("position"))["last"]
    theme = Theme(
        codebook=codebook,
        parent=parent,
        name=name.strip(),
        description=description.strip(),
        position=0 if last is None else last + 1,
    )
    return _validated(theme)


def theme_update(*, theme: Theme, name: str, description: str, parent: Theme | None) -> Theme:
    """``theme`` renamed, redescribed and moved under ``parent`` (None: top level). Raises
    ``ValidationError`` as ``theme_create`` does, and when a theme with sub-themes would become
    a sub-theme itself."""
    theme.name = name.strip()
    theme.description = description.strip()
    theme.parent = parent
    return _validated(theme)


def theme_delete(*, theme: Theme) -> None:
    """Delete ``theme`` and its sub-themes. Coded passages stay (with their other themes); they
    no longer carry the deleted themes."""
    theme.delete()


# The codebook as CSV ---------------------------------------------------------------------------


class CodebookImportError(Exception):
    """The file cannot be read at all (too large, not UTF-8, empty); the message says what to do."""


@dataclass(frozen=True)
class CodebookImportResult:
    """What an import did: themes created and updated, or the errors by row (nothing stored)."""

    created: int
    updated: int
    errors: list[RowError]
    ignored_columns: list[str]

    @property
    def stored(self) -> bool:
        return not self.errors


@dataclass
class _ThemeRow:
    row: int
    name: str
    description: str
    parent: str


def _cell_text(text: str) -> str:
    """A cell as the theme holds it: stripped, and without the quote an export puts before text
    a spreadsheet would run as a formula, so an exported codebook imports unchanged."""
    text = text.strip()
    if text.startswith("'") and text[1:].startswith(FORMULA_TRIGGERS):
        return text[1:]
    return text


def _read_codebook_rows(file: IO[bytes]) -> list[tuple[int, list[str]]]:
    content = file.read(MAX_CODEBOOK_BYTES + 1)
    if len(content) > MAX_CODEBOOK_BYTES:
        raise CodebookImportError(_("The file is larger than 1 MB; a codebook is much smaller."))
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CodebookImportError(
            _("The file is not UTF-8 text. In a spreadsheet, save it as “CSV UTF-8”.")
        ) from None
    try:
        rows = [
            (number, cells)
            for number, cells in enumerate(csv.reader(io.StringIO(text, newline="")), start=1)
            if any(cell.strip() for cell in cells)
        ]
    except csv.Error as error:
        raise CodebookImportError(
            _("The file is not a readable CSV file: %(error)s") % {"error": error}
        ) from None
    if not rows:
        raise CodebookImportError(
            _("The file is empty. The first row names the columns: name, description, parent.")
        )
    if len(rows) > MAX_CODEBOOK_ROWS + 1:
        raise CodebookImportError(
            _("The file has more than %(limit)d themes.") % {"limit": MAX_CODEBOOK_ROWS}
        )
    return rows


def _parse_codebook_rows(
    rows: list[tuple[int, list[str]]],
) -> tuple[list[_ThemeRow], list[str], list[RowError]]:
    """The theme rows of a codebook file, its ignored columns and the errors of single rows."""
    header_number, header = rows[0]
    columns: dict[str, int] = {}
    ignored, errors = [], []
    for index, title in enumerate(header):
        name = title.strip().lower()
        if name in CODEBOOK_COLUMNS and name in columns:
            errors.append(RowError(header_number, name, _("the column appears more than once")))
        elif name in CODEBOOK_COLUMNS:
            columns[name] = index
        elif name:
            ignored.append(title.strip())
    if "name" not in columns:
        errors.append(RowError(header_number, "name", _("the column is missing")))
        return [], ignored, errors
    limits = {"name": THEME_NAME_CHARS, "description": MAX_DESCRIPTION_CHARS, "parent": THEME_NAME_CHARS}
    parsed, first_row = [], {}
    for number, cells in rows[1:]:
        values = {}
        for column in CODEBOOK_COLUMNS:
            index = columns.get(column)
            values[column] = _cell_text(cells[index]) if index is not None and index < len(cells) else ""
            if "\x00" in values[column]:
                errors.append(RowError(number, column, _("the value contains a NUL character")))
            elif len(values[column]) > limits[column]:
                errors.append(
                    RowError(
                        number,
                        column,
                        _("the value is %(length)d characters long; at most %(limit)d are allowed")
                        % {"length": len(values[column]), "limit": limits[column]},
                    )
                )
        name, parent = values["name"], values["parent"]
        if not name:
            errors.append(RowError(number, "name", _("a value is required")))
        elif name in first_row:
            errors.append(
                RowError(
                    number,
                    "name",
                    _("“%(name)s” already appears on row %(row)d") % {"name": name, "row": first_row[name]},
                )
            )
        else:
            first_row[name] = number
        if name and parent == name:
            errors.append(RowError(number, "parent", _("a theme cannot be its own parent")))
        parsed.append(_ThemeRow(number, name, values["description"], parent))
    return parsed, ignored, errors


def _nesting_errors(rows: list[_ThemeRow], existing: dict[str, Theme]) -> list[RowError]:
    """Errors of the two-level rule in the codebook as it would be after the import: every parent
    exists (in the file or the codebook) and is top-level, and no theme with sub-themes gets a
    parent."""
    in_file = {row.name: row for row in rows if row.name}
    names_by_pk = {theme.pk: name for name, theme in existing.items()}
    parent_of = {name: names_by_pk.get(theme.parent_id, "") for name, theme in existing.items()}
    parent_of.update({row.name: row.parent for row in in_file.values()})
    has_children = {parent for parent in parent_of.values() if parent}
    errors = []
    for row in in_file.values():
        if not row.parent or row.parent == row.name:
            continue
        if row.parent not in parent_of:
            errors.append(
                RowError(
                    row.row,
                    "parent",
                    _("there is no theme “%(parent)s” in this file or in the codebook")
                    % {"parent": row.parent},
                )
            )
        elif parent_of[row.parent]:
            errors.append(
                RowError(
                    row.row,
                    "parent",
                    _("“%(parent)s” is itself a sub-theme; themes nest two levels deep")
                    % {"parent": row.parent},
                )
            )
        if row.name in has_children:
            errors.append(
                RowError(
                    row.row,
                    "parent",
                    _("“%(name)s” has sub-themes, so it cannot be a sub-theme itself") % {"name": row.name},
                )
            )
    return errors


def codebook_import_csv(*, codebook: Codebook, file: IO[bytes]) -> CodebookImportResult:
    """Create or update themes of ``codebook`` from a CSV file (UTF-8, a byte-order mark allowed)
    with the columns ``name`` (required), ``description`` and ``parent`` (the name of a top-level
    theme, in the file or already in the codebook; empty for a top-level theme).

    A theme is matched by its exact name and updated; others are created; themes not in the file
    are kept. The file's order sets the order of the themes it names. All or nothing: any error
    stores nothing, and every error is reported with its row (the header is row 1). Raises
    ``CodebookImportError`` for a file that cannot be read at all.
    """
    rows, ignored, errors = _parse_codebook_rows(_read_codebook_rows(file))
    existing = {theme.name: theme for theme in codebook.themes.all()}
    errors += _nesting_errors(rows, existing)
    if errors:
        return CodebookImportResult(
            created=0, updated=0, errors=sorted(errors, key=lambda error: error.row), ignored_columns=ignored
        )
    themes: dict[str, Theme] = {}
    with transaction.atomic():
        # Everything top-level first, then the parents set, so a theme can move between levels.
        for position, row in enumerate(rows):
            theme = existing.get(row.name) or Theme(codebook=codebook, name=row.name)
            theme.description, theme.position, theme.parent = row.description, position, None
            theme.save()
            themes[row.name] = theme
        for row in rows:
            if row.parent:
                themes[row.name].parent = themes.get(row.parent) or existing[row.parent]
                themes[row.name].save(update_fields=["parent"])
    created = sum(row.name not in existing for row in rows)
    return CodebookImportResult(
        created=created, updated=len(rows) - created, errors=[], ignored_columns=ignored
    )


def codebook_export_csv(*, codebook: Codebook) -> str:
    """The codebook as CSV text with the columns ``name``, ``description``, ``parent``: each
    top-level theme, then its sub-themes. Cells a spreadsheet would run as a formula are
    neutralised (a leading ``'``), which ``codebook_import_csv`` undoes."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CODEBOOK_COLUMNS)
    for theme in codebook_themes(codebook=codebook):
        parent = theme.parent.name if theme.parent_id else ""
        writer.writerow([neutralise_formula(text) for text in (theme.name, theme.description, parent)])
    return out.getvalue()


# Coded passages --------------------------------------------------------------------------------


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


# Reads -----------------------------------------------------------------------------------------


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
