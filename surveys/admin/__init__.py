"""Django admin for Roundtable, one module per area. Staff only: admin and fieldwork roles."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import invitations, panel, questionnaires, responses

admin.site.site_header = _("Roundtable administration")
admin.site.site_title = _("Roundtable")

__all__ = ["invitations", "panel", "questionnaires", "responses"]
