from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from surveys import views as survey_views
from surveys import views_decline as decline_views
from surveys import views_fieldwork
from surveys.urls import questionnaire_patterns

staff_patterns = [
    path("", survey_views.staff_home, name="home"),
    path("interviews/", survey_views.interview_list, name="interviews"),
    path("surveys/", views_fieldwork.fieldwork_surveys, name="fieldwork_surveys"),
    path("surveys/<slug:slug>/fieldwork/", views_fieldwork.fieldwork_dashboard, name="fieldwork"),
    path(
        "surveys/<slug:slug>/fieldwork/non-responders.csv",
        views_fieldwork.fieldwork_csv,
        name="fieldwork_csv",
    ),
]

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="staff:home", permanent=False)),
    path("favicon.ico", RedirectView.as_view(url=f"/{settings.STATIC_URL}roundtable/favicon.svg")),
    path("r/<str:token>/decline/", decline_views.decline, name="decline"),
    path("r/<str:token>/", include((questionnaire_patterns, "expert"))),
    path("staff/interviews/<int:invitation_id>/", include((questionnaire_patterns, "interview"))),
    path("staff/", include((staff_patterns, "staff"))),
    path("analysis/", include("analysis.urls")),
    path("coding/", include("analysis.urls_coding")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("_nested_admin/", include("nested_admin.urls")),
]
