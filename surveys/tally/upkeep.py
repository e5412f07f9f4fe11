"""Keeping a survey's tally current as the services change one response (``tally_kept``)."""

import contextlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import NamedTuple

import numpy
from django.db import connection, transaction
from django.db.models import Max, Q

from ..models import AnswerTally, Response, TallyProfile, TallyState
from .common import (
    COUNTED_ANSWER_FIELDS,
    GROUP_FIELDS,
    VALUE_FIELDS,
    Key,
    _counted_answers,
    _insert,
    _moment,
    fingerprints,
    packed,
    weight_pairs,
)


def _response_counts(response_id: int) -> Counter[Key]:
    """The tally keys (``KEY_FIELDS``) of a response's answers, if it is submitted, counted."""
    return Counter(_counted_answers(response_id=response_id).values_list(*COUNTED_ANSWER_FIELDS))


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
