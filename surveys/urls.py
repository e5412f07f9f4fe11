"""The questionnaire's URLs, mounted twice: by token for experts, by invitation for interviewers."""

from django.urls import path

from . import views

questionnaire_patterns = [
    path("", views.start, name="start"),
    path("consent/", views.consent, name="consent"),
    path("section/<int:position>/", views.section, name="section"),
    path("review/", views.review, name="review"),
    path("thanks/", views.thanks, name="thanks"),
    path("my-answers/", views.answers_copy, name="copy"),
    path("language/", views.language, name="language"),
]
