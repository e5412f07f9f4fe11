"""The expert's opt-out from emails, at ``/r/<token>/decline/`` (the link at the foot of every
invitation and reminder).

GET asks to confirm, so a mail scanner that follows links declines nothing; POST declines
(idempotent) and shows the outcome. Declining only stops emails: the link keeps working, and the
expert may still answer. Unknown token → 404; revoked link → the page other expert views show.
Works whatever the survey's state, so an expert can always stop the emails.
"""

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_http_methods

from . import selectors
from .services import mailing


@require_http_methods(["GET", "POST"])
def decline(request, token: str):
    invitation = selectors.invitation_for_token(token=token)
    if invitation is None:
        raise Http404
    survey = invitation.survey
    if invitation.revoked_at is not None:
        return render(
            request,
            "surveys/unavailable.html",
            {"reason": "revoked", "survey": survey, "response": getattr(invitation, "response", None)},
            status=410,
        )
    if request.method == "POST":
        mailing.invitation_decline(invitation=invitation)
        return redirect(request.path)
    language = mailing.invitation_language(invitation=invitation)
    with translation.override(language):
        return render(
            request,
            "surveys/decline.html",
            {
                "survey_title": survey.localized_title(language),
                "declined": invitation.declined_at is not None,
                "questionnaire_url": reverse("expert:start", kwargs={"token": token})
                if survey.is_accepting_answers()
                else "",
            },
        )
