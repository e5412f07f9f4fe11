"""Invitations and their links."""

from django.contrib import admin

from ..models import Invitation


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["expert", "survey", "interviewer", "sent_at", "opened_at", "revoked_at"]
    list_select_related = ["expert", "survey", "interviewer"]
    list_filter = ["survey"]
    readonly_fields = ["token_hash"]
