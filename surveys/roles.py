"""Staff roles as Django groups, and the permissions each holds.

Experts have no account: their personal link is their key. Staff accounts get one role:
``admin`` (everything), ``fieldwork`` (panel, invitations, interviews; no analysis),
``interviewer`` (enters interviews for the experts assigned to them) and ``researcher``
(analysis only, no personal data). Migrations create the groups from ``ROLE_PERMISSIONS``.
"""

ADMIN = "admin"
FIELDWORK = "fieldwork"
INTERVIEWER = "interviewer"
RESEARCHER = "researcher"
ROLES = (ADMIN, FIELDWORK, INTERVIEWER, RESEARCHER)

# Roles whose members may open the Django admin.
STAFF_SITE_ROLES = (ADMIN, FIELDWORK)

_SURVEY_MODELS = ("series", "survey", "section", "question", "choice")
_PANEL_MODELS = ("expert", "invitation", "quota")

# (app label, codename); "*" for every permission of the app.
ROLE_PERMISSIONS: dict[str, list[tuple[str, str]]] = {
    ADMIN: [("surveys", "*"), ("auth", "*"), ("analysis", "*"), ("django_tasks_database", "*")],
    FIELDWORK: [
        *[("surveys", f"view_{model}") for model in _SURVEY_MODELS],
        *[
            ("surveys", f"{action}_{model}")
            for model in _PANEL_MODELS
            for action in ("view", "add", "change")
        ],
        ("surveys", "conduct_interview"),
        ("surveys", "conduct_any_interview"),
    ],
    INTERVIEWER: [("surveys", "conduct_interview")],
    RESEARCHER: [
        ("analysis", "view_analysis"),
        ("analysis", "code_answers"),
        *[
            ("analysis", f"{action}_{model}")
            for model in ("codebook", "theme", "codedsegment", "quote")
            for action in ("view", "add", "change", "delete")
        ],
    ],
}


def sync_role_groups(apps) -> None:
    """Create the role groups and give each exactly its permissions (``apps``: a migration's
    historical registry or ``django.apps.apps``)."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        # Historical app configs have no models_module; create_permissions skips apps without one.
        app_config.models_module = getattr(app_config, "models_module", None) or True
        create_permissions(app_config, apps=apps, verbosity=0)
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for role, wanted in ROLE_PERMISSIONS.items():
        group, _created = group_model.objects.get_or_create(name=role)
        permissions = []
        for app_label, codename in wanted:
            matching = permission_model.objects.filter(content_type__app_label=app_label)
            if codename != "*":
                matching = matching.filter(codename=codename)
            permissions.extend(matching)
        group.permissions.set(permissions)
