"""The coding pages, mounted at /coding/ (namespace ``coding``)."""

from django.urls import path

from . import views_agreement, views_codebook, views_coding

app_name = "coding"

urlpatterns = [
    path("", views_coding.coding_surveys, name="surveys"),
    path("<slug:slug>/", views_coding.coding_workspace, name="workspace"),
    path("<slug:slug>/quotes/", views_coding.coding_quotes, name="quotes"),
    path("<slug:slug>/agreement/", views_agreement.coding_agreement, name="agreement"),
    path("<slug:slug>/codebook/", views_codebook.codebook, name="codebook"),
    path("<slug:slug>/codebook.csv", views_codebook.codebook_export, name="codebook_export"),
    path("<slug:slug>/codebook/<int:theme_id>/", views_codebook.theme_edit, name="theme"),
    path("<slug:slug>/codebook/<int:theme_id>/delete/", views_codebook.theme_remove, name="theme_delete"),
]
