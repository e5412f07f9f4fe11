"""Django admin for Roundtable, one module per area. Staff only: admin and fieldwork roles."""

from . import invitations, panel, questionnaires, responses

__all__ = ["invitations", "panel", "questionnaires", "responses"]
