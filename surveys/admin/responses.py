"""Responses and their answers (admins only: they hold what experts said)."""

from django.contrib import admin

from ..models import Answer, Response


class AnswerInline(admin.TabularInline):
    model = Answer
    extra = 0
    readonly_fields = ["question", "number", "text", "codes", "other_text"]


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
    list_display = ["pk", "survey", "status", "mode", "country", "sector", "submitted_at"]
    list_filter = ["survey", "status", "mode"]
    inlines = [AnswerInline]
