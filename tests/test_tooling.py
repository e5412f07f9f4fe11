"""The test tooling does what it claims: a real PostgreSQL run, and production settings that fail loudly."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

REPO_ROOT = Path(__file__).resolve().parent.parent


def _run_python(*args: str, **environment: str) -> subprocess.CompletedProcess[str]:
    # The arguments are this file's own literals.
    return subprocess.run(
        [sys.executable, *args],
        cwd=REPO_ROOT,
        # The browser tests allow Django's ORM under Playwright's event loop; production must not.
        env={**{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}, **environment},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.django_db
def test_the_suite_runs_on_the_database_it_was_given():
    """bin/test runs the suite twice: on SQLite, then with DATABASE_URL on a real PostgreSQL 15."""
    asked_for_postgres = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()" if asked_for_postgres else "SELECT sqlite_version()")
        (version,) = cursor.fetchone()

    if asked_for_postgres:
        assert connection.vendor == "postgresql"
        assert version.startswith("PostgreSQL 15"), version
    else:
        assert connection.vendor == "sqlite"
        assert version.startswith("3."), version


def test_production_settings_refuse_to_start_without_a_secret_key():
    # An empty SECRET_KEY counts as unset, and also keeps a developer's .env from supplying one.
    result = _run_python("-c", "import config.settings", DEBUG="false", SECRET_KEY="")

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY is not set" in result.stderr


def test_production_settings_pass_the_deploy_checks():
    result = _run_python(
        "manage.py",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="roundtable.example.org",
    )

    assert result.returncode == 0, result.stdout + result.stderr
