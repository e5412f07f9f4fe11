"""Reads for the fieldwork dashboard: who was invited, who opened, started, submitted or declined,
by group, against the quotas staff set; and who has not answered yet.

Everything about a survey's invitations comes from one query (``fieldwork_frame``) and is counted
with pandas over columns. An invitation's status, defined once here as ``Q`` conditions so that
the counts and the non-responders list agree:

- invited: the invitation was sent, or the expert was reached some other way (the link opened, an
  interviewer started a response);
- opened: the link was opened, or a response exists (an interviewer opening it does not stamp
  ``opened_at``);
- started: consent given. Answers are saved only after consent, so consent alone tells;
- submitted, declined, revoked: as stored.

Revoked invitations are withdrawn from fieldwork: they are left out of every count, response rate
and quota, and only their number is shown.
"""

import pandas
from django.db.models import BooleanField, Case, Count, F, Q, QuerySet, Value, When

from .geography import country_group_table
from .models import Invitation, Quota, Response, Survey

STATUS_CONDITIONS: dict[str, Q] = {
    "invited": Q(sent_at__isnull=False) | Q(opened_at__isnull=False) | Q(response__isnull=False),
    "opened": Q(opened_at__isnull=False) | Q(response__isnull=False),
    "started": Q(response__consent_given_at__isnull=False),
    "submitted": Q(response__status=Response.Status.SUBMITTED),
    "declined": Q(declined_at__isnull=False),
    "revoked": Q(revoked_at__isnull=False),
}
STATUS_COLUMNS = ["invited", "opened", "started", "submitted", "declined"]
GROUP_COLUMNS = ["country", "un_region", "north_south", "sector"]  # also the Quota dimensions
FRAME_COLUMNS = ["invitation_id", *GROUP_COLUMNS, *STATUS_COLUMNS, "revoked"]
COUNT_COLUMNS = [*STATUS_COLUMNS, "revoked", "response_rate"]
OVERALL = "all"

# Personal data: only for staff who may see the panel (admin and fieldwork roles).
NON_RESPONDER_COLUMNS = [
    "name",
    "email",
    "organisation",
    "country",
    "sector",
    "sent_at",
    "last_contact_at",
    "reminders_sent",
    "delivery_failures",
    "last_error",
]


def _flag(condition: Q) -> Case:
    # A bare Q over the LEFT JOIN to response would be NULL, not False, without a response.
    return Case(When(condition, then=Value(True)), default=Value(False), output_field=BooleanField())


def surveys_for_fieldwork() -> QuerySet[Survey]:
    """Every survey, newest first, with ``invitation_count`` and ``submitted_count``."""
    return Survey.objects.annotate(
        invitation_count=Count("invitations", distinct=True),
        submitted_count=Count(
            "responses", filter=Q(responses__status=Response.Status.SUBMITTED), distinct=True
        ),
    ).order_by("-created_at", "-pk")


def survey_for_fieldwork(*, slug: str) -> Survey | None:
    return Survey.objects.filter(slug=slug).first()


def fieldwork_frame(*, survey: Survey) -> pandas.DataFrame:
    """One row per invitation of ``survey``, in one query, with columns ``FRAME_COLUMNS``.

    The groups (country, UN region, North/South, sector) are those of the response's snapshot
    once submitted, so panel edits never move a submission between groups; before that they are
    the expert's current country and sector, with region and North/South joined from
    ``country_group_table()``. Unknown groups are "". Status columns are booleans.
    """
    rows = (
        Invitation.objects.filter(survey=survey)
        .annotate(**{name: _flag(condition) for name, condition in STATUS_CONDITIONS.items()})
        .order_by("pk")
        .values_list(
            "pk",
            "expert__country",
            "expert__sector",
            "response__country",
            "response__un_region",
            "response__north_south",
            "response__sector",
            *STATUS_CONDITIONS,
        )
    )
    snapshot_columns = ["snapshot_country", "snapshot_un_region", "snapshot_north_south", "snapshot_sector"]
    frame = pandas.DataFrame.from_records(
        list(rows),
        columns=["invitation_id", "expert_country", "expert_sector", *snapshot_columns, *STATUS_CONDITIONS],
    )
    geography = country_group_table().rename(
        columns={"iso2": "expert_country", "region": "expert_un_region", "north_south": "expert_north_south"}
    )[["expert_country", "expert_un_region", "expert_north_south"]]
    frame = frame.astype({"expert_country": str}).merge(geography, on="expert_country", how="left")
    frame = frame.astype({name: bool for name in STATUS_CONDITIONS})
    for column in GROUP_COLUMNS:
        current = frame[f"expert_{column}"].fillna("").astype(str)
        frame[column] = frame[f"snapshot_{column}"].fillna("").astype(str).where(frame["submitted"], current)
    return frame[FRAME_COLUMNS]


def fieldwork_counts(*, frame: pandas.DataFrame, by: str | None = None) -> pandas.DataFrame:
    """Counts per group of ``fieldwork_frame`` rows: ``COUNT_COLUMNS``, indexed by ``by``'s values
    (one of ``GROUP_COLUMNS``), or one row labelled ``OVERALL`` when ``by`` is None.

    Statuses count non-revoked invitations; ``revoked`` counts the rest.
    ``response_rate`` = submitted / invited, NaN for a group with nobody invited.
    """
    if by is not None and by not in GROUP_COLUMNS:
        raise ValueError(f"Cannot count by {by!r}; use one of {GROUP_COLUMNS} or None.")
    counted = frame[STATUS_COLUMNS].mul(~frame["revoked"], axis=0).astype(int)
    counted["revoked"] = frame["revoked"].astype(int)
    counts = counted.sum().to_frame(OVERALL).T if by is None else counted.groupby(frame[by]).sum()
    counts["response_rate"] = counts["submitted"] / counts["invited"].where(counts["invited"] > 0)
    return counts[COUNT_COLUMNS]


def quota_progress(*, survey: Survey, frame: pandas.DataFrame) -> pandas.DataFrame:
    """One row per quota of ``survey`` (ordered by dimension and value): ``quota_id``,
    ``dimension``, ``value``, ``target``, ``submitted`` (non-revoked submissions in the group, from
    ``frame``), ``remaining`` = max(target − submitted, 0) and ``under_target`` = submitted < target.
    """
    quotas = pandas.DataFrame.from_records(
        list(
            Quota.objects.filter(survey=survey)
            .order_by("dimension", "value")
            .values_list("pk", "dimension", "value", "target")
        ),
        columns=["quota_id", "dimension", "value", "target"],
    ).astype({"quota_id": int, "dimension": str, "value": str, "target": int})
    submitted_groups = frame.loc[frame["submitted"] & ~frame["revoked"], GROUP_COLUMNS]
    submitted = (
        submitted_groups.melt(var_name="dimension", value_name="value")
        .groupby(["dimension", "value"])
        .size()
        .rename("submitted")
        .reset_index()
        .astype({"dimension": str, "value": str})
    )
    progress = quotas.merge(submitted, on=["dimension", "value"], how="left")
    progress["submitted"] = progress["submitted"].fillna(0).astype(int)
    progress["remaining"] = (progress["target"] - progress["submitted"]).clip(lower=0)
    progress["under_target"] = progress["submitted"] < progress["target"]
    return progress


def non_responders(*, survey: Survey) -> QuerySet:
    """Invited experts of ``survey`` who have neither submitted nor declined, as dictionaries with
    ``NON_RESPONDER_COLUMNS`` (and ``invitation_id``), ordered by country and name.

    Revoked invitations and erased experts are left out: nobody should contact them. Personal data:
    only for the admin and fieldwork roles.
    """
    return (
        Invitation.objects.filter(survey=survey, revoked_at__isnull=True, expert__erased_at__isnull=True)
        .filter(STATUS_CONDITIONS["invited"])
        .exclude(STATUS_CONDITIONS["submitted"] | STATUS_CONDITIONS["declined"])
        .annotate(
            invitation_id=F("pk"),
            name=F("expert__name"),
            email=F("expert__email"),
            organisation=F("expert__organisation"),
            country=F("expert__country"),
            sector=F("expert__sector"),
        )
        .order_by("country", "name", "pk")
        .values("invitation_id", *NON_RESPONDER_COLUMNS)
    )
