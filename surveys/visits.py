"""Who is filling in a questionnaire, and through which door.

Experts come through their personal link (``/r/<token>/``), interviewers through the staff
interview pages (``/staff/interviews/<id>/``). Both end at the same views; a ``Visit`` carries
what differs: the response, the URL namespace and whether the visitor is an interviewer.
"""

import functools
from dataclasses import dataclass

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation

from . import selectors, services
from .models import Invitation, Response


@dataclass
class Visit:
    invitation: Invitation
    response: Response
    namespace: str
    key: dict

    @property
    def survey(self):
        return self.invitation.survey

    @property
    def is_interview(self) -> bool:
        return self.namespace == "interview"

    def url(self, name: str, **kwargs) -> str:
        return reverse(f"{self.namespace}:{name}", kwargs={**self.key, **kwargs})


def user_may_interview(user, invitation: Invitation) -> bool:
    if user.has_perm("surveys.conduct_any_interview"):
        return True
    return user.has_perm("surveys.conduct_interview") and invitation.interviewer_id == user.pk


def _unavailable(request, invitation: Invitation, reason: str, status: int):
    return render(
        request,
        "surveys/unavailable.html",
        {"reason": reason, "survey": invitation.survey, "response": getattr(invitation, "response", None)},
        status=status,
    )


def visit_required(view):
    """Resolve the visitor for a questionnaire view and speak the response's language.

    Unknown token → 404 with nothing else said; revoked link, or a survey not open yet → a plain
    page. A closed survey is let through only to views marked ``allow_closed`` (they keep work).
    Interview pages need a login and the right to interview this expert.
    """

    @functools.wraps(view)
    def wrapper(request, token: str | None = None, invitation_id: int | None = None, **kwargs):
        if token is not None:
            invitation = selectors.invitation_for_token(token=token)
            if invitation is None:
                raise Http404
            namespace, key, interviewer = "expert", {"token": token}, None
        else:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            invitation = selectors.invitation_for_interview(invitation_id=invitation_id)
            if invitation is None:
                raise Http404
            if not user_may_interview(request.user, invitation):
                raise PermissionDenied
            namespace, key, interviewer = "interview", {"invitation_id": invitation_id}, request.user
        survey = invitation.survey
        if invitation.revoked_at is not None:
            return _unavailable(request, invitation, "revoked", 410)
        if survey.status == survey.Status.DRAFT or (
            not survey.is_accepting_answers() and not survey.has_closed()
        ):
            return _unavailable(request, invitation, "not_open", 403)
        if survey.has_closed() and not getattr(view, "allow_closed", False):
            return _unavailable(request, invitation, "closed", 403)
        response = services.response_open(invitation=invitation, interviewer=interviewer)
        visit = Visit(invitation=invitation, response=response, namespace=namespace, key=key)
        with translation.override(response.language):
            return view(request, visit, **kwargs)

    return wrapper


def allow_closed(view):
    view.allow_closed = True
    return view
