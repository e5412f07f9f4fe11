"""Writes, one module per area; everything is re-exported here: ``from surveys import services``."""

from .accounts import user_create_with_role
from .invitations import invitation_create, invitation_reissue, invitation_revoke
from .responses import (
    ResponseIncomplete,
    response_give_consent,
    response_missing_sections,
    response_open,
    response_save_page,
    response_set_language,
    response_submit,
)
from .surveys import (
    SurveyStateError,
    questionnaire_is_locked,
    survey_clone_wave,
    survey_close,
    survey_has_answers,
    survey_open,
    survey_reopen,
)

__all__ = [
    "ResponseIncomplete",
    "SurveyStateError",
    "invitation_create",
    "invitation_reissue",
    "invitation_revoke",
    "questionnaire_is_locked",
    "response_give_consent",
    "response_missing_sections",
    "response_open",
    "response_save_page",
    "response_set_language",
    "response_submit",
    "survey_clone_wave",
    "survey_close",
    "survey_has_answers",
    "survey_open",
    "survey_reopen",
    "user_create_with_role",
]
