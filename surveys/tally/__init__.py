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


The package: ``common`` (the fields of a count, the packing of counts, the fingerprint),
``upkeep`` (``tally_kept``), ``rebuild`` (``rebuild``, ``tallied``) and ``reading``
(``profiles_frame``, ``stored_counts``).
"""

from .common import (
    CATEGORY_TEXT_TYPES,
    COUNTED_ANSWER_FIELDS,
    GROUP_FIELDS,
    KEY_FIELDS,
    VALUE_FIELDS,
    WEIGHTS,
    answer_category,
    fingerprints,
    packed,
    weight_pairs,
)
from .reading import profiles_frame, sorted_categorical, stored_counts, used_categories
from .rebuild import rebuild, tallied
from .upkeep import tally_kept

__all__ = [
    "CATEGORY_TEXT_TYPES",
    "COUNTED_ANSWER_FIELDS",
    "GROUP_FIELDS",
    "KEY_FIELDS",
    "VALUE_FIELDS",
    "WEIGHTS",
    "answer_category",
    "fingerprints",
    "packed",
    "profiles_frame",
    "rebuild",
    "sorted_categorical",
    "stored_counts",
    "tallied",
    "tally_kept",
    "used_categories",
    "weight_pairs",
]
