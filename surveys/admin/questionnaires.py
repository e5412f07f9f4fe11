"""Questionnaire authoring: series, surveys, sections, questions and choices."""

from django.contrib import admin

from ..models import Choice, Question, Section, Series, Survey


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
