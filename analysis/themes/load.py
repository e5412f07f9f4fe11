"""The coding of long-text answers as frames, read in a few queries: ``theme_coding`` for the
results, ``coded_segments_frame`` for the download of coded passages."""

from collections.abc import Iterable
from dataclasses import dataclass

import pandas
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q, QuerySet
from django.db.models.functions import Trim

from surveys.models import Answer, Question, Response, Survey

from ..agreement import coding_frame, with_parent_themes
from ..coding import passage_span
from ..findings import MIN_CELL_SIZE
from ..load import QUESTION_ORDER, respondent_pseudonym
from ..models import CodedSegment, Theme
from ..stats import GROUPINGS

WAVE = "wave"
THEME_GROUPINGS = (*GROUPINGS, WAVE)
THEME_COLUMNS = ["theme", "theme_name", "parent", "parent_name"]
ANSWER_COLUMNS = ["answer", "response", "question", "survey", WAVE, *GROUPINGS]
SEGMENT_COLUMNS = [
    "respondent", WAVE, *GROUPINGS, "question", "theme", "parent_theme", "coder", "start", "end", "passage",
    "in_answer", "quotable",
]  # fmt: skip

Surveys = Survey | Iterable[Survey] | QuerySet[Survey]


@dataclass(frozen=True)
class ThemeCoding:
    """The coding of the long-text answers to one or more surveys, read once (``theme_coding``).

    ``answers``: one row per non-blank long-text answer of a submitted response, with
    ``ANSWER_COLUMNS`` — ids of the ``answer`` and ``response`` (never shown), the ``question``
    code, the ``survey`` slug, its ``wave`` label and the response's snapshot groups; keep the rows
    of the respondents to describe (filters, one wave) with ``dataclasses.replace``.
    ``segments``: one row per coded answer × theme it carries (sub-themes also count as their
    parent), columns ``answer`` and ``theme``. ``themes``: ``THEME_COLUMNS`` in codebook order.
    ``k``: the largest ``min_group_size`` of the surveys.
    """

    answers: pandas.DataFrame
    segments: pandas.DataFrame
    themes: pandas.DataFrame
    k: int


def _surveys(survey: Surveys) -> list[Survey]:
    return [survey] if isinstance(survey, Survey) else list(survey)


def _answers(surveys: list[Survey]) -> pandas.DataFrame:
    """The non-blank long-text answers of submitted responses, in one query (``ANSWER_COLUMNS``)."""
    rows = (
        Answer.objects.filter(
            response__survey__in=surveys,
            response__status=Response.Status.SUBMITTED,
            question__type=Question.Type.LONG_TEXT,
        )
        .annotate(trimmed=Trim("text"))
        .exclude(trimmed="")
        .values_list(
            "pk",
            "response_id",
            "question__code",
            "response__survey__slug",
            "response__survey__wave_label",
            *(f"response__{g}" for g in GROUPINGS),
        )
    )
    frame = pandas.DataFrame.from_records(list(rows), columns=ANSWER_COLUMNS)
    texts = {column: str for column in ANSWER_COLUMNS[2:]}
    return frame.astype({"answer": int, "response": int, **texts})


def _themes(surveys: list[Survey], applied: Iterable[int]) -> pandas.DataFrame:
    """The themes of the surveys' codebooks (and of their series), with any other theme applied,
    in one query and in codebook order: each top-level theme followed by its sub-themes."""
    rows = Theme.objects.filter(
        Q(codebook__survey__in=surveys)
        | Q(codebook__series_id__in={survey.series_id for survey in surveys})
        | Q(pk__in=list(applied))
    ).values_list("pk", "name", "parent_id", "parent__name", "codebook_id", "position", "parent__position")
    frame = pandas.DataFrame.from_records(
        list(rows), columns=[*THEME_COLUMNS, "codebook", "position", "parent_position"]
    )
    is_child = frame["parent"].notna()
    frame = frame.assign(
        top_position=frame["parent_position"].where(is_child, frame["position"]),
        top=frame["parent"].where(is_child, frame["theme"]),
        is_child=is_child,
    ).sort_values(["codebook", "top_position", "top", "is_child", "position", "theme_name"], kind="stable")
    frame["parent_name"] = frame["parent_name"].fillna("")
    return frame[THEME_COLUMNS].astype({"theme": int, "parent": "Int64"}).reset_index(drop=True)


def theme_coding(*, survey: Surveys, coder: AbstractBaseUser | None = None) -> ThemeCoding:
    """The coding of every long-text answer to ``survey`` (a survey, or several waves), by every
    coder or by ``coder`` only, in three queries whatever the number of answers and segments: the
    answers, the coded segments and the themes."""
    surveys = _surveys(survey)
    answers = _answers(surveys)
    segments = coding_frame(survey=surveys)
    if coder is not None:
        segments = segments.loc[segments["coder"].eq(coder.pk)]
    segments = with_parent_themes(segments.loc[segments["theme"].notna()])
    segments = segments[["answer", "theme"]].astype({"theme": int}).drop_duplicates(ignore_index=True)
    themes = _themes(surveys, segments["theme"].unique().tolist())
    k = max((survey.min_group_size for survey in surveys), default=MIN_CELL_SIZE)
    return ThemeCoding(answers=answers, segments=segments, themes=themes, k=k)


def coded_segments_frame(*, survey: Survey, with_memo: bool = False) -> pandas.DataFrame:
    """Every coded passage of the submitted answers to ``survey``, for download, in one query: one
    row per segment × theme (a segment without themes: one row, theme "") with ``SEGMENT_COLUMNS``
    — the ``respondent`` pseudonym (as in ``load.answers_frame``), the ``wave`` and the response's
    snapshot groups, the ``question`` code, the ``theme`` and ``parent_theme`` names ("" for
    none), the ``coder``'s username (staff, not experts), ``start``/``end`` offsets and the
    ``passage`` text where the passage is now (``coding.passage_span``), ``in_answer`` (False when
    the expert's later edit of the answer removed the passage: offsets and passage are then the
    ones it was coded on), and ``quotable`` (False when the expert chose "not for quotation": the
    passage may be analysed, never quoted). ``with_memo`` adds the coder's ``memo`` last (free text
    a coder wrote, for the researchers' downloads). Nothing from the expert record: no name, email
    or organisation. Rows in questionnaire order, then by response and offset, a segment's themes
    in codebook position order."""
    rows = (
        CodedSegment.objects.filter(
            answer__response__survey=survey, answer__response__status=Response.Status.SUBMITTED
        )
        .order_by(
            *(f"answer__question__{field}" for field in QUESTION_ORDER),
            "answer__response_id",
            "start",
            "end",
            "pk",
            "themes__position",
            "themes__name",
        )
        .values_list(
            "answer__response_id",
            "answer__response__survey__wave_label",
            *(f"answer__response__{grouping}" for grouping in GROUPINGS),
            "answer__question__code",
            "themes__name",
            "themes__parent__name",
            "coder__username",
            "start",
            "end",
            "passage",
            "memo",
            "answer__text",
            "answer__response__attribution",
        )
    )
    frame = pandas.DataFrame.from_records(
        list(rows), columns=["response", *SEGMENT_COLUMNS[1:-2], "memo", "text", "attribution"]
    )
    pseudonyms = {response: respondent_pseudonym(response) for response in frame["response"].unique()}
    frame["respondent"] = frame["response"].map(pseudonyms).astype(str)
    # Where each passage is now (one row per segment and theme: a loop over segments, not answers).
    marks = zip(frame["text"], frame["start"], frame["end"], frame["passage"], strict=True)
    spans = [
        passage_span(text=text, start=start, end=end, passage=passage) for text, start, end, passage in marks
    ]
    frame["in_answer"] = [span is not None for span in spans]
    here = [
        span or (start, end) for span, start, end in zip(spans, frame["start"], frame["end"], strict=True)
    ]
    frame["start"], frame["end"] = [start for start, _end in here], [end for _start, end in here]
    frame["passage"] = [
        text[start:end] if kept else passage
        for text, (start, end), kept, passage in zip(
            frame["text"], here, frame["in_answer"], frame["passage"], strict=True
        )
    ]
    frame["quotable"] = frame["attribution"].ne(Response.Attribution.NOT_FOR_QUOTATION)
    frame[["theme", "parent_theme"]] = frame[["theme", "parent_theme"]].fillna("")
    columns = [*SEGMENT_COLUMNS, "memo"] if with_memo else SEGMENT_COLUMNS
    return frame[columns].astype(
        {"start": int, "end": int, "passage": str, "question": str, "coder": str, WAVE: str}
        | dict.fromkeys(GROUPINGS, str)
    )
