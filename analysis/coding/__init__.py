"""Qualitative coding of interview answers: the codebook and its themes, coded passages, and the
answers a coder works through.

A survey is coded with its own codebook or, failing that, its series' codebook (shared by every
wave); ``codebook_for_survey`` creates a survey codebook on first use. Themes nest two levels
deep. A coded passage (``CodedSegment``) belongs to one coder: researchers code independently,
and re-coding the same passage updates that coder's segment rather than adding another.

Offsets are character (code point) offsets into ``Answer.text``: a passage is
``text[start:end]``, the whole answer ``0`` to ``len(text)``.

The package: ``codebook`` (codebooks and themes), ``codebook_csv`` (import and export),
``passages`` (coding passages) and ``selectors`` (the answers to code).
"""

from .codebook import codebook_for_survey, codebook_themes, theme_create, theme_delete, theme_update
from .codebook_csv import (
    CODEBOOK_COLUMNS,
    MAX_CODEBOOK_BYTES,
    MAX_CODEBOOK_ROWS,
    MAX_DESCRIPTION_CHARS,
    THEME_NAME_CHARS,
    CodebookImportError,
    CodebookImportResult,
    codebook_export_csv,
    codebook_import_csv,
)
from .passages import (
    Mark,
    codable_check,
    mark_at,
    passage_check,
    passage_span,
    placed,
    segment_code,
    segment_uncode,
)
from .selectors import CODING_STATUSES, CodingStatus, answers_to_code, codable_answers, surveys_for_coding

__all__ = [
    "CODEBOOK_COLUMNS",
    "CODING_STATUSES",
    "MAX_CODEBOOK_BYTES",
    "MAX_CODEBOOK_ROWS",
    "MAX_DESCRIPTION_CHARS",
    "THEME_NAME_CHARS",
    "CodebookImportError",
    "CodebookImportResult",
    "CodingStatus",
    "Mark",
    "answers_to_code",
    "codable_answers",
    "codable_check",
    "codebook_export_csv",
    "codebook_for_survey",
    "codebook_import_csv",
    "codebook_themes",
    "mark_at",
    "passage_check",
    "passage_span",
    "placed",
    "segment_code",
    "segment_uncode",
    "surveys_for_coding",
    "theme_create",
    "theme_delete",
    "theme_update",
]
