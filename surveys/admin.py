"""Django admin for questionnaires, the panel and invitations. Staff only."""

from django.contrib import admin

from .models import Answer, Choice, Expert, Invitation, Question, Response, Section, Series, Survey


class SectionInline(admin.TabularInline):
    model = Section
    extra = 0


class ChoiceInline(admin.TabularInline):
    model = Choice
    extra = 0


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    list_display = ["slug", "title"]


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ["slug", "wave_label", "status", "opens_at", "closes_at"]
    list_filter = ["status", "series"]
    inlines = [SectionInline]


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["code", "survey", "section", "position", "type", "required"]
    list_filter = ["survey", "type"]
    list_select_related = ["survey", "section"]
    inlines = [ChoiceInline]


@admin.register(Expert)
class ExpertAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "organisation", "country", "sector", "preferred_language"]
    list_filter = ["sector", "country"]
    search_fields = ["name", "email", "organisation"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["expert", "survey", "interviewer", "sent_at", "opened_at", "revoked_at"]
    list_select_related = ["expert", "survey", "interviewer"]
    list_filter = ["survey"]
    readonly_fields = ["token_hash"]


class AnswerInline(admin.TabularInline):
    model = Answer
    extra = 0
    readonly_fields = ["question", "number", "text", "codes", "other_text"]


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
    list_display = ["pk", "survey", "status", "mode", "country", "sector", "submitted_at"]
    list_filter = ["survey", "status", "mode"]
    inlines = [AnswerInline]
