"""Writing the demo into the database through the real services: staff accounts, the survey, the
panel, invitations and responses.

Seeding is idempotent: when the demo survey exists, only the staff accounts are ensured and the
featured experts' links re-issued. Only token hashes are stored, so re-issuing is the one way to
print working links; links printed by an earlier run stop working.
"""

import random
from dataclasses import asdict, dataclass
from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from analysis.demo import seed_demo_coding

from .. import roles, selectors, services
from ..models import Answer, Expert, Invitation, Response, Survey
from ..selectors import Questionnaire
from ..services.questionnaire_files import survey_from_document
from .panel import DECLINED, DRAFT, SUBMITTED, PanelMember, plan_panel
from .questionnaire import DOCUMENT

# Demo only: these accounts and this password exist for a local demonstration, never a server.
DEMO_PASSWORD = "roundtable-demo"  # noqa: S105
STAFF_ACCOUNTS = (
    ("admin", roles.ADMIN),
    ("researcher", roles.RESEARCHER),
    ("interviewer", roles.INTERVIEWER),
    ("fieldwork", roles.FIELDWORK),
)
SURVEY_SLUG = DOCUMENT["slug"]
OPEN_FOR = timedelta(days=30)  # the survey opened this long before seeding
CLOSES_IN = timedelta(days=60)

# The experts whose links are printed: (what the link shows, which invitation).
NOT_OPENED = Q(response__isnull=True, declined_at__isnull=True, interviewer__isnull=True)
SELF_COMPLETED = Q(response__mode=Response.Mode.SELF)
FEATURED_EXPERTS = (
    ("not opened yet, English", NOT_OPENED & Q(expert__preferred_language="en")),
    ("not opened yet, Chinese", NOT_OPENED & Q(expert__preferred_language="zh-hans")),
    (
        "draft: resumes where the expert stopped",
        SELF_COMPLETED & Q(response__status=Response.Status.DRAFT, response__resume_section__isnull=False),
    ),
    (
        "submitted: answers can still be edited",
        SELF_COMPLETED & Q(response__status=Response.Status.SUBMITTED, expert__preferred_language="en"),
    ),
    (
        "submitted, in Chinese",
        SELF_COMPLETED & Q(response__status=Response.Status.SUBMITTED, expert__preferred_language="zh-hans"),
    ),
)


@dataclass(frozen=True)
class DemoLink:
    description: str
    expert: str
    language: str
    token: str


@dataclass(frozen=True)
class DemoSeed:
    """What a run did: whether it created the demo, the survey, fresh links and fieldwork counts."""

    created: bool
    survey: Survey
    links: list[DemoLink]
    counts: dict[str, int]


def seed_demo(*, experts: int, seed: int) -> DemoSeed:
    """Create the demo (or, when it exists, only refresh accounts and links) in one transaction."""
    with transaction.atomic():
        staff = {
            role: services.user_create_with_role(
                username=username, password=DEMO_PASSWORD, role=role, email=f"{username}@example.org"
            )
            for username, role in STAFF_ACCOUNTS
        }
        survey = Survey.objects.filter(slug=SURVEY_SLUG).first()
        created = survey is None
        if created:
            survey = survey_from_document(document=DOCUMENT)
            now = timezone.now()
            services.survey_open(survey=survey, opens_at=now - OPEN_FOR, closes_at=now + CLOSES_IN)
            questionnaire = selectors.questionnaire_for_survey(survey=survey)
            members = plan_panel(questionnaire=questionnaire, count=experts, seed=seed)
            _panel_create(survey=survey, questionnaire=questionnaire, members=members, staff=staff)
        # A small codebook and two researchers' coding, so themes show at once (idempotent).
        second_coder = services.user_create_with_role(
            username="researcher2",
            password=DEMO_PASSWORD,
            role=roles.RESEARCHER,
            email="researcher2@example.org",
        )
        seed_demo_coding(
            survey=survey, coders=[staff[roles.RESEARCHER], second_coder], rng=random.Random(seed)
        )
        return DemoSeed(created=created, survey=survey, links=_featured_links(survey), counts=_counts(survey))


def _panel_create(
    *,
    survey: Survey,
    questionnaire: Questionnaire,
    members: list[PanelMember],
    staff: dict[str, AbstractBaseUser],
) -> None:
    experts = Expert.objects.bulk_create([Expert(**asdict(member.profile)) for member in members])
    entered_by = {"interviewer": staff[roles.INTERVIEWER], "fieldwork": staff[roles.FIELDWORK]}
    invitations, responses = [], []
    for member, expert in zip(members, experts, strict=True):
        invitation, _token = services.invitation_create(
            survey=survey,
            expert=expert,
            interviewer=staff[roles.INTERVIEWER] if member.assigned_interviewer else None,
        )
        invitations.append(invitation)
        if member.status in (SUBMITTED, DRAFT):
            response = _respond(
                invitation=invitation,
                questionnaire=questionnaire,
                member=member,
                interviewer=entered_by.get(member.entered_by),
            )
            responses.append((member, response))
    _backdate(survey=survey, members=members, invitations=invitations, responses=responses)


def _respond(
    *,
    invitation: Invitation,
    questionnaire: Questionnaire,
    member: PanelMember,
    interviewer: AbstractBaseUser | None,
) -> Response:
    """Fill in the questionnaire page by page, as the expert (or their interviewer) would."""
    response = services.response_open(invitation=invitation, interviewer=interviewer)
    services.response_give_consent(response=response, attribution=member.attribution)
    sections = questionnaire.sections
    for index, section in enumerate(sections[: member.sections_saved]):
        values = {
            question.pk: member.answers[question.code]
            for question in questionnaire.questions_in(section)
            if question.code in member.answers
        }
        services.response_save_page(
            response=response,
            questionnaire=questionnaire,
            section=section,
            values=values,
            next_section=sections[index + 1] if index + 1 < len(sections) else None,
        )
    if member.status == SUBMITTED:
        services.response_submit(response=response, questionnaire=questionnaire)
    return response


def _backdate(
    *,
    survey: Survey,
    members: list[PanelMember],
    invitations: list[Invitation],
    responses: list[tuple[PanelMember, Response]],
) -> None:
    """Spread the fieldwork over the four weeks the survey has been open, so progress over time
    and reminders look real. Services stamp "now"; only the timestamps are rewritten here."""

    def at(hours: float | None):
        return None if hours is None else survey.opens_at + timedelta(hours=hours)

    for member, invitation in zip(members, invitations, strict=True):
        invitation.sent_at = at(member.sent_hour)
        invitation.reminders_sent = member.reminders
        invitation.last_contact_at = at(member.sent_hour + 24 * 7 * member.reminders)
        if member.status == DECLINED:
            invitation.declined_at = at(member.acted_hour)
        elif invitation.opened_at is not None:
            invitation.opened_at = at(member.acted_hour)
    Invitation.objects.bulk_update(
        invitations, ["sent_at", "reminders_sent", "last_contact_at", "declined_at", "opened_at"]
    )
    for member, response in responses:
        response.started_at = at(member.acted_hour)
        response.consent_given_at = at(member.acted_hour + 0.02)
        response.submitted_at = at(member.submitted_hour)
        response.updated_at = response.submitted_at or at(member.acted_hour + 0.5)
    Response.objects.bulk_update(
        [response for _member, response in responses],
        ["started_at", "consent_given_at", "submitted_at", "updated_at"],
    )
    # One small update per response through the answers' response index. A single UPDATE with a
    # correlated subquery was planned from the statistics of tables filled moments ago, and on
    # PostgreSQL that plan could run for many minutes.
    for _member, response in responses:
        Answer.objects.filter(response=response).update(updated_at=response.updated_at)


def _featured_links(survey: Survey) -> list[DemoLink]:
    """Fresh links for a few experts in telling states; the earlier links of those experts die."""
    links = []
    for description, condition in FEATURED_EXPERTS:
        invitation = (
            Invitation.objects.filter(condition, survey=survey, revoked_at__isnull=True)
            .select_related("expert")
            .order_by("pk")
            .first()
        )
        if invitation is not None:
            token = services.invitation_reissue(invitation=invitation)
            expert = invitation.expert
            links.append(DemoLink(description, expert.name, expert.preferred_language, token))
    return links


def _counts(survey: Survey) -> dict[str, int]:
    return Invitation.objects.filter(survey=survey).aggregate(
        experts=Count("pk"),
        submitted=Count("pk", filter=Q(response__status=Response.Status.SUBMITTED)),
        drafts=Count("pk", filter=Q(response__status=Response.Status.DRAFT)),
        declined=Count("pk", filter=Q(declined_at__isnull=False)),
        not_opened=Count("pk", filter=Q(response__isnull=True, declined_at__isnull=True)),
    )
