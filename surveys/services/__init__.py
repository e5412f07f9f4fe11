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

__all__ = [
    "ResponseIncomplete",
    "invitation_create",
    "invitation_reissue",
    "invitation_revoke",
    "response_give_consent",
    "response_missing_sections",
    "response_open",
    "response_save_page",
    "response_set_language",
    "response_submit",
    "user_create_with_role",
]
