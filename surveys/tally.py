"""The answer tally: submitted answers counted by question, value and respondent profile.

A summary needs of each respondent only their answer to one question and their groups, so it
reads counts: a survey of 100 000 respondents × 50 questions has a few hundred thousand of them,
where counting the five million answers again for each summary took seconds. Respondents with the
same groups share a *profile* (``TallyProfile``, numbered within the survey, with how many
submitted responses it has), and each value of a question is one row (``AnswerTally``) holding
its counts by profile, packed in one binary column (``WEIGHTS``): a summary reads a few hundred
rows and unpacks them with NumPy (``stored_counts``). Read as a row per value and profile, the
275 000 counts of the bench's survey took longer to hand over from the database than everything
the summary then did with them.

The tally is kept up to date in two ways:

- ``tally_kept(response)`` wraps the services that change a submitted response's answers or
  groups (submitting, saving a page of a submitted response): inside the same transaction it
  counts the response's answers and notes its profile before and after, and adds the
  difference.
- Anything else — deleting responses, bulk loads, the admin, retyping a question — changes the
  survey's ``fingerprints`` (how many responses are submitted, the latest submission and edit,
  the questions and their latest change), which no longer match its ``TallyState``; the next
  reader (``tallied``) then rebuilds the survey's tally from its answers in one statement.

A tally is only ever marked current with a fingerprint taken before the answers were read (a
rebuild), or worked out from the one change it added (``tally_kept``), so a change that anything
else makes meanwhile makes it look out of date, never the other way round.
"""

import contextlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import NamedTuple

import numpy
import pandas
from django.db import connection, transaction
from django.db.models import Case, Count, F, Max, OuterRef, Q, QuerySet, Subquery, TextField, Value, When
from django.db.models.functions import Cast

from .models import Answer, AnswerTally, Question, Response, Survey, TallyProfile, TallyState
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

# ``AnswerTally.weights``: a value's counts as (profile number, count) pairs of unsigned 32-bit
# little-endian integers, profile numbers rising, no count 0 (a profile not there counts 0).
WEIGHTS = numpy.dtype("<u4")

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


def weight_pairs(weights: bytes | memoryview) -> numpy.ndarray:
    """``AnswerTally.weights`` as an array of (profile number, count) rows."""
    return numpy.frombuffer(weights, dtype=WEIGHTS).reshape(-1, 2)


def packed(profiles: numpy.ndarray, counts: numpy.ndarray) -> bytes:
    """``AnswerTally.weights`` of ``counts`` by profile number (``profiles``, rising), 0s left out."""
    kept = counts != 0
    return numpy.column_stack([profiles[kept], counts[kept]]).astype(WEIGHTS).tobytes()


def _insert(model, columns: tuple[str, ...], rows: list[list]) -> None:
    """Inserts ``rows`` of ``columns`` into ``model``'s table in one statement however many
    (``bulk_create`` would split them on SQLite); nothing when there are none."""
    if not rows:
        return
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({', '.join(columns)}) "  # noqa: S608
            f"VALUES ({', '.join(['%s'] * len(columns))})",  # (our own names)
            rows,
        )


def _profiles_held(survey_id: int, profiles: set[Key]) -> dict[Key, TallyProfile]:
    """Those of ``profiles`` (``GROUP_FIELDS`` values) the survey has, in one query."""
    wanted = Q()
    for profile in profiles:
        wanted |= Q(**dict(zip(GROUP_FIELDS, profile, strict=True)))
    rows = TallyProfile.objects.filter(wanted, survey_id=survey_id)
    return {tuple(getattr(row, field) for field in GROUP_FIELDS): row for row in rows}


def _value_filter(values: Iterable[Key]) -> Q:
    """The tally rows of ``values`` (``VALUE_FIELDS``)."""
    wanted = Q()
    for question_id, number, category, codes in values:
        at = {"number__isnull": True} if number is None else {"number": number}
        wanted |= Q(question_id=question_id, category=category, codes=codes, **at)
    return wanted


class Standing(NamedTuple):
    """Of a response: whether it is submitted and when it last changed (its part of its survey's
    fingerprint), and its profile (``GROUP_FIELDS``)."""

    submitted: bool
    updated_at: datetime | None
    profile: Key


def _standing(response_id: int) -> Standing | None:
    """The response's ``Standing``, None when it is gone."""
    row = Response.objects.filter(pk=response_id).values_list("status", "updated_at", *GROUP_FIELDS).first()
    return None if row is None else Standing(row[0] == Response.Status.SUBMITTED, row[1], tuple(row[2:]))


def _respondents_moved(before: Standing | None, after: Standing | None) -> Counter[Key]:
    """How many submitted respondents each profile gains as a response goes from ``before`` to
    ``after`` (``_standing``)."""
    moved = Counter()
    for standing, change in ((before, -1), (after, 1)):
        if standing is not None and standing.submitted:
            moved[standing.profile] += change
    return Counter({profile: change for profile, change in moved.items() if change})


def _applied(survey_id: int, before: Counter[Key], after: Counter[Key], respondents: Counter[Key]) -> bool:
    """Adds ``after`` less ``before`` to the survey's tally, and ``respondents`` to its profiles'
    respondents, in at most eight statements whatever the number of answers. False (and nothing
    written) when the tally lacks a count it should hold: it is not what it claims."""
    changes: dict[Key, dict[Key, int]] = defaultdict(dict)  # value → profile → change
    for key in before.keys() | after.keys():
        if after[key] != before[key]:
            changes[key[: len(VALUE_FIELDS)]][key[len(VALUE_FIELDS) :]] = after[key] - before[key]
    if not changes and not respondents:
        return True
    profiles = {profile for by_profile in changes.values() for profile in by_profile} | respondents.keys()
    held = _profiles_held(survey_id, profiles)
    had = Counter({profile: row.respondents for profile, row in held.items()})
    if any(had[profile] + change < 0 for profile, change in respondents.items()):
        return False
    numbers = {profile: row.number for profile, row in held.items()}
    new = sorted(profiles - held.keys())
    if new:  # numbered after the survey's last
        last = TallyProfile.objects.filter(survey_id=survey_id).aggregate(last=Max("number"))["last"]
        numbers |= {profile: (-1 if last is None else last) + 1 + at for at, profile in enumerate(new)}
    values = AnswerTally.objects.filter(_value_filter(changes), survey_id=survey_id) if changes else []
    rows = {tuple(getattr(row, field) for field in VALUE_FIELDS): row for row in values}
    created, updated, emptied = [], [], []
    for value, by_profile in changes.items():
        row = rows.get(value)
        counts = Counter(dict(weight_pairs(b"" if row is None else row.weights).tolist()))
        for profile, change in by_profile.items():
            counts[numbers[profile]] += change
        if min(counts.values()) < 0:
            return False
        numbered = numpy.array(sorted(counts.items()), dtype="int64").reshape(-1, 2)
        weights = packed(numbered[:, 0], numbered[:, 1])
        if row is None:
            created.append([survey_id, *value, weights])
        elif weights:
            updated.append([weights, row.pk])
        else:
            emptied.append(row.pk)
    _insert(
        TallyProfile,
        ("survey_id", "number", *GROUP_FIELDS, "respondents"),
        [[survey_id, numbers[profile], *profile, respondents[profile]] for profile in new],
    )
    moved = [[held[p].respondents + change, held[p].pk] for p, change in respondents.items() if p in held]
    _insert(AnswerTally, ("survey_id", *VALUE_FIELDS, "weights"), created)
    table = connection.ops.quote_name(AnswerTally._meta.db_table)
    with connection.cursor() as cursor:
        if updated:
            cursor.executemany(
                f"UPDATE {table} SET weights = %s WHERE id = %s",  # noqa: S608 (our own names)
                updated,
            )
        if moved:
            cursor.executemany(
                f"UPDATE {connection.ops.quote_name(TallyProfile._meta.db_table)} "  # noqa: S608
                "SET respondents = %s WHERE id = %s",
                moved,
            )
    if emptied:
        AnswerTally.objects.filter(pk__in=emptied).delete()
    return True


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
        after, now = _response_counts(response.pk), _standing(response.pk)
        applied = _applied(survey_id, before, after, _respondents_moved(standing, now))
        state.fingerprint = _moved(state.fingerprint, standing, now) if applied else []
        state.save(update_fields=["fingerprint", "updated_at"])


# The rebuild's counting on PostgreSQL. Responses with the same groups share a profile, numbered
# first, so answers are counted by integers and values (hashing six group names for each of
# millions of answers is what would cost); which questions have a category in their text is
# looked up once (an array), not joined to each answer. One statement, so that the profiles and
# the counts come from one snapshot: a row per profile and value, and one for each profile
# without answers, whose value is NULL.
COUNT_SQL = """
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
    SELECT profile, {groups_plain}, count(*) AS respondents FROM profiles GROUP BY profile, {groups_plain}
)
SELECT c.question_id, c.number, c.category, c.codes::text, {groups_d}, d.respondents, c.weight
FROM described AS d
LEFT JOIN counted AS c ON c.profile = d.profile
"""


def _counted(survey_id: int) -> tuple[pandas.DataFrame, pandas.DataFrame]:
    """The survey's submitted answers counted by ``KEY_FIELDS`` (one row per key, with
    ``weight``), and its submitted responses by profile (``GROUP_FIELDS`` and ``respondents``)."""
    if connection.vendor == "postgresql":
        names = {
            name: connection.ops.quote_name(model._meta.db_table)
            for name, model in (("response", Response), ("answer", Answer), ("question", Question))
        }
        statement = COUNT_SQL.format(
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
            columns = [*KEY_FIELDS, "respondents", "weight"]
            rows = pandas.DataFrame.from_records(cursor.fetchall(), columns=columns)
        profiles = rows[[*GROUP_FIELDS, "respondents"]].drop_duplicates(list(GROUP_FIELDS))
        counted = rows.loc[rows["question_id"].notna(), [*KEY_FIELDS, "weight"]]
        return counted.astype({"question_id": "int64", "weight": "int64"}), profiles
    counted = (
        _counted_answers(response__survey_id=survey_id)
        .values(*COUNTED_ANSWER_FIELDS)
        .annotate(weight=Count("pk"))
        .order_by()
        .values_list(*COUNTED_ANSWER_FIELDS, "weight")
    )
    profiles = (
        Response.objects.filter(survey_id=survey_id, status=Response.Status.SUBMITTED)
        .values(*GROUP_FIELDS)
        .annotate(respondents=Count("pk"))
        .order_by()
        .values_list(*GROUP_FIELDS, "respondents")
    )
    return (
        pandas.DataFrame.from_records(list(counted), columns=[*KEY_FIELDS, "weight"]),
        pandas.DataFrame.from_records(list(profiles), columns=[*GROUP_FIELDS, "respondents"]),
    )


def _count_into_tally(survey_id: int) -> None:
    """Counts the survey's submitted answers into its (emptied) tally: its profiles numbered in
    the order of their groups, with their respondents, then a row per value with its counts by
    profile."""
    counted, profiles = _counted(survey_id)
    profiles = profiles.sort_values(list(GROUP_FIELDS), ignore_index=True)
    _insert(
        TallyProfile,
        ("survey_id", "number", *GROUP_FIELDS, "respondents"),
        [[survey_id, number, *fields.values()] for number, fields in enumerate(profiles.to_dict("records"))],
    )
    if counted.empty:
        return
    profile = pandas.MultiIndex.from_frame(profiles[list(GROUP_FIELDS)]).get_indexer(
        pandas.MultiIndex.from_frame(counted[list(GROUP_FIELDS)])
    )
    value = counted.groupby(list(VALUE_FIELDS), sort=True, dropna=False).ngroup().to_numpy()
    values = counted[list(VALUE_FIELDS)].iloc[numpy.unique(value, return_index=True)[1]]
    order = numpy.lexsort((profile, value))
    profile, value, weight = profile[order], value[order], counted["weight"].to_numpy()[order]
    bounds = numpy.searchsorted(value, numpy.arange(1, len(values)))
    _insert(
        AnswerTally,
        ("survey_id", *VALUE_FIELDS, "weights"),
        [
            [survey_id, *(None if pandas.isna(field) else field for field in fields.values()), weights]
            for fields, weights in zip(
                values.to_dict("records"),
                map(packed, numpy.split(profile, bounds), numpy.split(weight, bounds)),
                strict=True,
            )
        ],
    )


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
        TallyProfile.objects.filter(survey_id=survey_id).delete()
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


def profiles_frame(survey_ids: list[int], *fields: str) -> pandas.DataFrame:
    """The profiles of the surveys' tallies as stored, in one query: one row per profile, in the
    order of survey and number, with ``survey_id``, ``number``, ``GROUP_FIELDS``,
    ``respondents`` and ``fields`` (lookups from a profile, such as ``"survey__slug"``)."""
    columns = ["survey_id", "number", *GROUP_FIELDS, "respondents", *fields]
    rows = TallyProfile.objects.filter(survey_id__in=survey_ids).order_by("survey_id", "number")
    return pandas.DataFrame.from_records(list(rows.values_list(*columns)), columns=columns)


def used_categories(values: pandas.Categorical) -> pandas.Categorical:
    """``values`` with only the categories it holds, in their order: what
    ``remove_unused_categories`` gives, by counting the codes rather than sorting them."""
    codes = values.codes
    used = numpy.bincount(codes[codes >= 0], minlength=len(values.categories)) > 0
    if used.all():
        return values
    kept = numpy.append(numpy.cumsum(used) - 1, -1)  # the new code of each, and -1 for NA (code -1)
    return pandas.Categorical.from_codes(kept.take(codes), categories=values.categories[used])


def sorted_categorical(values: Sequence[str] | numpy.ndarray, at: numpy.ndarray) -> pandas.Categorical:
    """The texts ``values`` taken at ``at``, as a categorical whose categories, those taken, sort
    as their strings do (what ``astype("category")`` gives), without hashing a string per row."""
    categories, numbers = numpy.unique(numpy.asarray(values, dtype=object).astype(str), return_inverse=True)
    return used_categories(pandas.Categorical.from_codes(numbers.reshape(-1).take(at), categories=categories))


def stored_counts(tallies: QuerySet[AnswerTally], profiles: pandas.DataFrame) -> pandas.DataFrame:
    """The counts of ``tallies`` as stored, in one query: one row per value and profile with
    answers, in the order of ``tallies`` and then of profile, with ``VALUE_FIELDS``, ``profile``
    (the row of ``profiles``, a ``profiles_frame`` of the tallies' surveys, it counts) and
    ``weight``; ``category`` and ``codes`` as categoricals whose categories sort as their texts
    do. The counts are unpacked by NumPy from the few hundred rows of the tallies, none by
    Python."""
    rows = list(tallies.values_list("survey_id", *VALUE_FIELDS, "weights"))
    blobs = [bytes(row[-1]) for row in rows]
    pairs = numpy.frombuffer(b"".join(blobs), dtype=WEIGHTS).reshape(-1, 2).astype("int64")
    at = numpy.repeat(numpy.arange(len(rows)), [len(blob) // (2 * WEIGHTS.itemsize) for blob in blobs])
    # Each count's profile, found among the profiles (in order) by (survey, number).
    held = (profiles["survey_id"].to_numpy(dtype="int64") << 32) | profiles["number"].to_numpy(dtype="int64")
    keys = (numpy.array([row[0] for row in rows], dtype="int64").take(at) << 32) | pairs[:, 0]
    profile = numpy.searchsorted(held, keys)
    if not (numpy.append(held, -1).take(profile) == keys).all():
        raise ValueError("An answer tally counts a profile that its survey does not have.")
    return pandas.DataFrame(
        {
            "question_id": numpy.array([row[1] for row in rows], dtype="int64").take(at),
            "number": numpy.array([row[2] for row in rows], dtype="float64").take(at),
            "category": sorted_categorical([row[3] for row in rows], at),
            "codes": sorted_categorical([row[4] for row in rows], at),
            "profile": profile,
            "weight": pairs[:, 1],
        }
    )
