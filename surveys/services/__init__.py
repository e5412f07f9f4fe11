"""Writes, one module per area; the public ones are re-exported here: ``from surveys import services``.

accounts (staff), invitations (links), mailing (emails, opt-out), panel (import),
personal_data (export, erasure), questionnaire_files (JSON/YAML/XLSForm), quotas, responses
(the expert's answers), surveys (open/close/clone).
"""

from .accounts import user_create_with_role
from .invitations import invitation_create, invitation_reissue, invitation_revoke
from .mailing import invitation_decline, invitation_deliver, invitations_queue
from .panel import PanelImportError, PanelImportResult, panel_import
from .personal_data import ErasureResult, expert_erase, expert_personal_data
from .questionnaire_files import (
    QuestionnaireFileError,
    export_survey,
    import_survey,
    survey_from_document,
    survey_from_xlsform,
    survey_to_document,
)
from .quotas import quota_delete, quota_set
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
    "ErasureResult",
    "PanelImportError",
    "PanelImportResult",
    "QuestionnaireFileError",
    "ResponseIncomplete",
    "SurveyStateError",
    "expert_erase",
    "expert_personal_data",
    "export_survey",
    "import_survey",
    "invitation_create",
    "invitation_decline",
    "invitation_deliver",
    "invitation_reissue",
    "invitation_revoke",
    "invitations_queue",
    "panel_import",
    "questionnaire_is_locked",
    "quota_delete",
    "quota_set",
    "response_give_consent",
    "response_missing_sections",
    "response_open",
    "response_save_page",
    "response_set_language",
    "response_submit",
    "survey_clone_wave",
    "survey_close",
    "survey_from_document",
    "survey_from_xlsform",
    "survey_has_answers",
    "survey_open",
    "survey_reopen",
    "survey_to_document",
    "user_create_with_role",
]
