"""The expert panel."""

from django.contrib import admin

from ..models import Expert


@admin.register(Expert)
class ExpertAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "organisation", "country", "sector", "preferred_language"]
    list_filter = ["sector", "country"]
    search_fields = ["name", "email", "organisation"]
