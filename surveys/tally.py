"""The answer tally: submitted answers counted by question, value and respondent profile.

A summary needs of each respondent only their answer to one question and their groups, so it
reads counts (``AnswerTally``): a survey of 100 000 respondents × 50 questions is a few hundred
thousand of them, where counting the five million answers again for each summary took seconds.

The tally is kept up to date in two ways:

- ``tally_kept(response)`` wraps the services that change a submitted response's answers or
  groups (submitting, saving a page of a submitted response): inside the same transaction it
  counts the response's answers before and after and adds the difference.
- Anything else — deleting responses, bulk loads, the admin, retyping a question — changes the
  survey's ``fingerprints`` (how many responses are submitted, the latest submission and edit,
  the questions and their latest change), which no longer match its ``TallyState``; the next
  reader (``tallied``) then rebuilds the survey's tally from its answers in one statement.

A tally is only ever marked current with a fingerprint taken before the answers were read (a
rebuild), or worked out from the one change it added (``tally_kept``), so a change that anything
else makes meanwhile makes it look out of date, never the other way round.
"""

import contextlib
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import datetime

from django.db import connection, transaction
from django.db.models import Case, Count, F, Max, OuterRef, Q, QuerySet, Subquery, TextField, Value, When
from django.db.models.functions import Cast

from .models import Answer, AnswerTally, Question, Response, Survey, TallyState
from .selectors import one_value

# Answers whose text is a category (a choice code or a country code); other text is free text.
CATEGORY_TEXT_TYPES = (Question.Type.SINGLE_CHOICE, Question.Type.COUNTRY)
GROUP_FIELDS = ("country", "un_region", "un_subregion", "north_south", "sector", "mode")
VALUE_FIELDS = ("question_id", "number", "category", "codes")
KEY_FIELDS = (*VALUE_FIELDS, *GROUP_FIELDS)
# ``KEY_FIELDS`` of an answer of ``_counted_answers``.
COUNTED_ANSWER_FIELDS = (
    "question_id",
    "number",
    "category",
    "codes_text",
    *(f"response__{f}" for f in GROUP_FIELDS),
)

Key = tuple


def _moment(value):
    return value.isoformat() if isinstance(value, datetime) else value


def fingerprints(survey_ids: Iterable[int]) -> dict[int, list]:
    """Of each survey, in one query, what its tally depends on: how many responses are submitted
    and the latest change among them (a save of a response or of its answers through the app
    changes it), how many questions it has and their latest change (a question retyped counts its
    text answers differently). The responses' part is read from an index, not the table."""
    submitted = Response.objects.filter(survey_id=OuterRef("pk"), status=Response.Status.SUBMITTED)
    questions = Question.objects.filter(survey_id=OuterRef("pk"))
    rows = Survey.objects.filter(pk__in=list(survey_ids)).values_list(
        "pk",
        one_value(submitted, Count("pk")),
        Subquery(submitted.order_by("-updated_at").values("updated_at")[:1]),
        one_value(questions, Count("pk")),
        one_value(questions, Max("updated_at")),
    )
    return {survey_id: [_moment(value) for value in values] for survey_id, *values in rows}


def answer_category() -> Case:
    """An answer's text when it is a category (``CATEGORY_TEXT_TYPES``), else "": free text is
    never read."""
    return Case(
        When(question__type__in=CATEGORY_TEXT_TYPES, then=F("text")),
        default=Value(""),
        output_field=TextField(),
    )


def _counted_answers(**filters) -> QuerySet[Answer]:
    """The submitted answers ``filters`` select, with the tally's ``category`` and ``codes``."""
    return Answer.objects.filter(response__status=Response.Status.SUBMITTED, **filters).annotate(
        category=answer_category(), codes_text=Cast("codes", TextField())
    )


def _response_counts(response_id: int) -> Counter[Key]:
    """The tally keys (``KEY_FIELDS``) of a response's answers, if it is submitted, counted."""
    return Counter(_counted_answers(response_id=response_id).values_list(*COUNTED_ANSWER_FIELDS))


def _applied(survey_id: int, before: Counter[Key], after: Counter[Key]) -> bool:
    """Adds ``after`` less ``before`` to the survey's tally, in at most four statements whatever
    the number of answers. False (and nothing written) when the tally lacks a count it should
    hold: it is not what it claims."""
    changes = {
        key: after[key] - before[key] for key in before.keys() | after.keys() if after[key] != before[key]
    }
    if not changes:
        return True
    profiles = Q()
    for profile in {key[len(VALUE_FIELDS) :] for key in changes}:
        profiles |= Q(**dict(zip(GROUP_FIELDS, profile, strict=True)))
    rows = {
        tuple(getattr(row, field) for field in KEY_FIELDS): row
        for row in AnswerTally.objects.filter(
            profiles, survey_id=survey_id, question_id__in={key[0] for key in changes}
        )
    }
    created, updated, emptied = [], [], []
    for key, change in changes.items():
        row = rows.get(key)
        if row is None:
            if change < 0:
                return False
            created.append(
                AnswerTally(survey_id=survey_id, weight=change, **dict(zip(KEY_FIELDS, key, strict=True)))
            )
            continue
        row.weight += change
        if row.weight < 0:
            return False
        (emptied if row.weight == 0 else updated).append(row)
    table = connection.ops.quote_name(AnswerTally._meta.db_table)
    columns = ("survey_id", *KEY_FIELDS, "weight")
    with connection.cursor() as cursor:
        # One statement each, however many rows (bulk_create would split them on SQLite).
        if created:
            cursor.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608 (our own names)
                f"VALUES ({', '.join(['%s'] * len(columns))})",
                [[getattr(row, column) for column in columns] for row in created],
            )
        if updated:
            cursor.executemany(
                f"UPDATE {table} SET weight = %s WHERE id = %s",  # noqa: S608 (our own names)
                [[row.weight, row.pk] for row in updated],
            )
    if emptied:
        AnswerTally.objects.filter(pk__in=[row.pk for row in emptied]).delete()
    return True


def _standing(response_id: int) -> tuple[bool, datetime | None] | None:
    """Whether the response is submitted, and when it last changed (None when it is gone): its
    part of its survey's fingerprint."""
    row = Response.objects.filter(pk=response_id).values_list("status", "updated_at").first()
    return None if row is None else (row[0] == Response.Status.SUBMITTED, row[1])


def _moved(fingerprint: list, before, after) -> list:
    """``fingerprint`` (``fingerprints``) after one response went from ``before`` to ``after``
    (``_standing``), worked out rather than read again: a change another session makes meanwhile
    is then not taken into it, so it shows the tally out of date. [] (out of date) when the
    response left the submitted ones, whose latest times it may have held."""
    was, now = before is not None and before[0], after is not None and after[0]
    if was and not now:
        return []
    if not now:
        return fingerprint
    n_submitted, updated, *questions = fingerprint
    moments = [moment for moment in (updated and datetime.fromisoformat(updated), after[1]) if moment]
    return [n_submitted + (not was), _moment(max(moments)) if moments else None, *questions]


@contextlib.contextmanager
def tally_kept(response: Response) -> Iterator[None]:
    """Around a change to ``response``'s answers, groups or status, in one transaction: when its
    survey's tally is current, the response's counts are taken before and after the change and
    the difference added, so the tally stays current. (An out-of-date tally is left for the next
    reader to rebuild.) Survey by survey, tally changes wait for one another (a row lock)."""
    survey_id = response.survey_id
    with transaction.atomic():
        state = TallyState.objects.select_for_update().filter(survey_id=survey_id).first()
        if state is None or state.fingerprint != fingerprints([survey_id]).get(survey_id):
            yield
            return
        before, standing = _response_counts(response.pk), _standing(response.pk)
        yield
        applied = _applied(survey_id, before, _response_counts(response.pk))
        state.fingerprint = _moved(state.fingerprint, standing, _standing(response.pk)) if applied else []
        state.save(update_fields=["fingerprint", "updated_at"])


# The rebuild on PostgreSQL. Responses with the same groups share a *profile*, numbered first, so
# answers are counted by integers and values (hashing six group names for each of millions of
# answers is what would cost); which questions have a category in their text is looked up once
# (an array), not joined to each answer.
REBUILD_SQL = """
WITH profiles AS (
    SELECT r.id, {groups}, dense_rank() OVER (ORDER BY {groups_c}) AS profile
    FROM {response} AS r
    WHERE r.survey_id = %(survey)s AND r.status = %(submitted)s
), counted AS (
    SELECT p.profile, a.question_id, a.number,
           CASE WHEN a.question_id = ANY(ARRAY(
               SELECT id FROM {question} WHERE survey_id = %(survey)s AND type = ANY(%(category_types)s)
           )) THEN a.text ELSE '' END AS category,
           a.codes, count(*) AS weight
    FROM {answer} AS a
    JOIN profiles AS p ON p.id = a.response_id
    GROUP BY 1, 2, 3, 4, 5
), described AS (
    SELECT DISTINCT ON (profile) * FROM profiles ORDER BY profile
)
INSERT INTO {tally} (survey_id, question_id, number, category, codes, {groups_plain}, weight)
SELECT %(survey)s, c.question_id, c.number, c.category, c.codes::text, {groups_d}, c.weight
FROM counted AS c
JOIN described AS d ON d.profile = c.profile
"""


def _count_into_tally(survey_id: int) -> None:
    """Counts the survey's submitted answers into its (emptied) tally, in one statement."""
    if connection.vendor != "postgresql":
        counted = (
            _counted_answers(response__survey_id=survey_id)
            .values(*COUNTED_ANSWER_FIELDS)
            .annotate(weight=Count("pk"))
            .order_by()
            .values_list(*COUNTED_ANSWER_FIELDS, "weight")
        )
        select, parameters = counted.query.sql_with_params()
        columns = ", ".join((*KEY_FIELDS, "weight"))
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {connection.ops.quote_name(AnswerTally._meta.db_table)} "  # noqa: S608
                f"(survey_id, {columns}) SELECT %s, counted.* FROM ({select}) AS counted",
                [survey_id, *parameters],
            )
        return
    names = {
        name: connection.ops.quote_name(model._meta.db_table)
        for name, model in (
            ("response", Response),
            ("answer", Answer),
            ("question", Question),
            ("tally", AnswerTally),
        )
    }
    statement = REBUILD_SQL.format(
        groups=", ".join(f"r.{field}" for field in GROUP_FIELDS),
        groups_c=", ".join(f'r.{field} COLLATE "C"' for field in GROUP_FIELDS),
        groups_plain=", ".join(GROUP_FIELDS),
        groups_d=", ".join(f"d.{field}" for field in GROUP_FIELDS),
        **names,
    )
    parameters = {
        "survey": survey_id,
        "submitted": Response.Status.SUBMITTED,
        "category_types": list(CATEGORY_TEXT_TYPES),
    }
    with connection.cursor() as cursor:
        cursor.execute(statement, parameters)


def rebuild(survey_id: int, fingerprint: list, *, force: bool = False) -> None:
    """Empties the survey's tally and counts its answers again, then records ``fingerprint``
    (taken before) as what it counts — unless another reader has just done so (or, with
    ``force``, whatever the tally's state: ``manage.py rebuild_tallies``)."""
    with transaction.atomic():
        TallyState.objects.get_or_create(survey_id=survey_id)
        state = TallyState.objects.select_for_update().get(survey_id=survey_id)
        if state.fingerprint == fingerprint and not force:
            return
        AnswerTally.objects.filter(survey_id=survey_id).delete()
        _count_into_tally(survey_id)
        state.fingerprint = fingerprint
        state.save(update_fields=["fingerprint", "updated_at"])


def tallied(survey_ids: Iterable[int]) -> QuerySet[AnswerTally]:
    """The tallies of the surveys, brought up to date first: two queries when they are current,
    and a rebuild of each that is not (``rebuild``)."""
    survey_ids = list(survey_ids)
    now = fingerprints(survey_ids)
    states = dict(TallyState.objects.filter(survey_id__in=survey_ids).values_list("survey_id", "fingerprint"))
    for survey_id in survey_ids:
        if states.get(survey_id) != now[survey_id]:
            rebuild(survey_id, now[survey_id])
    return AnswerTally.objects.filter(survey_id__in=survey_ids)
