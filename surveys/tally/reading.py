"""Reading a tally as frames: its profiles (``profiles_frame``) and its counts unpacked
(``stored_counts``)."""

from collections.abc import Sequence

import numpy
import pandas
from django.db.models import QuerySet

from ..models import AnswerTally, TallyProfile
from .common import GROUP_FIELDS, VALUE_FIELDS, WEIGHTS


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
