from django.urls import path

from . import views

app_name = "analysis"

urlpatterns = [
    path("", views.survey_list, name="surveys"),
    path("<slug:slug>/", views.dashboard, name="dashboard"),
    path("<slug:slug>/download/<str:file_format>/", views.download, name="download"),
    path("<slug:slug>/report/", views.report, name="report"),
]
