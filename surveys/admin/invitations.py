"""Invitations and their links: the status of each email, and actions to send, revoke or re-issue.

The actions need ``surveys.change_invitation`` (admin and fieldwork roles). Sending follows the
same rules as the ``send_invitations``/``send_reminders`` commands (``services/mailing.py``).
"""

from django.conf import settings
from django.contrib import admin, messages
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import Invitation, Survey
from ..services import invitation_reissue, invitation_revoke, mailing
from ..tasks import tasks_run_in_background
from ..tokens import new_token, token_hash

SKIPPED_BECAUSE = {
    mailing.MailKind.INVITATION: gettext_lazy(
        "already emailed, declined, revoked, submitted, or the expert was erased"
    ),
    mailing.MailKind.REMINDER: gettext_lazy(
        "not invited yet, emailed within the survey's reminder interval, reminded the maximum number "
        "of times, declined, revoked, submitted, or the expert was erased"
    ),
}


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = [
        "expert",
        "survey",
        "interviewer",
        "sent_at",
        "last_contact_at",
        "reminders_sent",
        "opened_at",
        "declined_at",
        "revoked_at",
        "delivery_failures",
        "last_error_at",
    ]
    list_select_related = ["expert", "survey", "interviewer"]
    list_filter = ["survey"]
    search_fields = ["expert__name", "expert__email"]
    # Recorded by the system; changed only through the actions.
    readonly_fields = [
        "token_hash",
        "sent_at",
        "last_contact_at",
        "reminders_sent",
        "opened_at",
        "declined_at",
        "revoked_at",
        "delivery_failures",
        "last_error",
        "last_error_at",
    ]
    actions = ["send_invitation_now", "send_reminder", "revoke_link", "reissue_link"]

    def save_model(self, request, obj, form, change):
        if not change:
            # A link nobody knows yet: the first email (or "Re-issue link") makes the usable one.
            obj.token_hash = token_hash(new_token())
        super().save_model(request, obj, form, change)

    @admin.action(description=gettext_lazy("Send invitation now"), permissions=["change"])
    def send_invitation_now(self, request, queryset):
        self._queue(request, queryset, mailing.MailKind.INVITATION)

    @admin.action(description=gettext_lazy("Send reminder"), permissions=["change"])
    def send_reminder(self, request, queryset):
        self._queue(request, queryset, mailing.MailKind.REMINDER)

    @admin.action(description=gettext_lazy("Revoke link"), permissions=["change"])
    def revoke_link(self, request, queryset):
        revoked = 0
        for invitation in queryset.filter(revoked_at__isnull=True):
            invitation_revoke(invitation=invitation)
            revoked += 1
        self.message_user(request, _("Revoked %(count)d link(s).") % {"count": revoked}, messages.SUCCESS)

    @admin.action(description=gettext_lazy("Re-issue link"), permissions=["change"])
    def reissue_link(self, request, queryset):
        """A new link for each selected invitation, shown once: only its hash is stored."""
        site_url = getattr(settings, "SITE_URL", "http://127.0.0.1:8000").rstrip("/")
        for invitation in queryset.select_related("expert", "survey"):
            token = invitation_reissue(invitation=invitation)
            self.message_user(
                request,
                _(
                    "New link for %(expert)s (%(survey)s): %(link)s — copy it now, it is shown only "
                    "once. The previous link no longer works."
                )
                % {
                    "expert": invitation.expert,
                    "survey": invitation.survey.slug,
                    "link": site_url + reverse("expert:start", kwargs={"token": token}),
                },
                messages.WARNING,
            )

    def _queue(self, request, queryset, kind: mailing.MailKind) -> None:
        for survey in Survey.objects.filter(invitations__in=queryset).distinct().order_by("pk"):
            selected = list(queryset.filter(survey=survey).values_list("pk", flat=True))
            try:
                queued = mailing.invitations_queue(survey=survey, kind=kind, invitation_ids=selected)
            except mailing.SurveyNotOpen as error:
                self.message_user(request, str(error), messages.ERROR)
                continue
            text = _("%(survey)s: queued %(queued)d %(kind)s email(s).") % {
                "survey": survey.slug,
                "queued": queued,
                "kind": kind.label.lower(),
            }
            if len(selected) > queued:
                text += " " + _("%(count)d skipped: %(reasons)s.") % {
                    "count": len(selected) - queued,
                    "reasons": SKIPPED_BECAUSE[kind],
                }
            if queued and tasks_run_in_background():
                text += " " + _("The task worker (manage.py db_worker) sends them.")
            self.message_user(request, text, messages.SUCCESS if queued else messages.WARNING)
