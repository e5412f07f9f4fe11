"""Suite-wide pytest hooks. Model factories live in tests/factories.py."""

import pytest
from django.conf import settings


def pytest_report_header() -> str:
    # bin/test runs the suite twice; the header says which database this run is on.
    database = settings.DATABASES["default"]
    return f"database: {database['ENGINE']} NAME={database['NAME']}"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Staff accounts are made in many tests; the production hasher is slow on purpose.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _tasks_run_immediately(settings):
    # Queued tasks (emails) run in the test's own transaction, so their effects can be asserted.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
