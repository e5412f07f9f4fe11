"""Submitted answers as tidy pandas frames, one query per table.

These frames are what researchers analyse, so they hold no personal data: no names, emails or
organisations (nothing is read from the expert at all), no free-text answers, and respondents
are known only by a pseudonym (``respondent_pseudonym``), never by a database id. The groups
(country, UN region and sub-region, Global North/South, sector) are the snapshot taken when the
response was submitted, so later panel edits never move answers between groups; "" means unknown.

The package: ``common`` (columns, pseudonyms, reading a ``COPY``), ``answers`` (a row per answer or
response), ``counts`` (the answer tally and respondents counted by group, what a summary reads) and
``questions`` (the questionnaire).
"""

from .answers import answers_frame, respondents_frame
from .common import (
    ANSWER_COLUMNS,
    CHOICE_COLUMNS,
    GROUP_COLUMNS,
    QUESTION_COLUMNS,
    QUESTION_ORDER,
    RESPONDENT_COLUMNS,
    Surveys,
    respondent_pseudonym,
)
from .counts import answer_counts_frame, counted_frames, respondent_counts_frame
from .questions import choices_frame, questions_frame

__all__ = [
    "ANSWER_COLUMNS",
    "CHOICE_COLUMNS",
    "GROUP_COLUMNS",
    "QUESTION_COLUMNS",
    "QUESTION_ORDER",
    "RESPONDENT_COLUMNS",
    "Surveys",
    "answer_counts_frame",
    "answers_frame",
    "choices_frame",
    "counted_frames",
    "questions_frame",
    "respondent_counts_frame",
    "respondent_pseudonym",
    "respondents_frame",
]
