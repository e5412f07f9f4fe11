"""Counting a survey's submitted answers into its tally again (``rebuild``), which the next
reader does when the tally is out of date (``tallied``)."""

from collections.abc import Iterable

import numpy
import pandas
from django.db import connection, transaction
from django.db.models import Count, QuerySet

from ..models import Answer, AnswerTally, Question, Response, TallyProfile, TallyState
from .common import (
    CATEGORY_TEXT_TYPES,
    COUNTED_ANSWER_FIELDS,
    GROUP_FIELDS,
    KEY_FIELDS,
    VALUE_FIELDS,
    _counted_answers,
    _insert,
    fingerprints,
    packed,
)

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
