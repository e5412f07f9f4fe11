"""The test tooling does what it claims: a real PostgreSQL run, production settings that fail loudly,
and a benchmark that calls a ratio met only when every paired run meets it."""

import importlib.util
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


def _analysis_bench():
    spec = importlib.util.spec_from_file_location("analysis_bench", REPO_ROOT / "bench" / "analysis_bench.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("targets", "floors", "verdict"),
    [
        ([2.4, 2.5, 2.6], [1.0, 0.9, 1.0], "PASS"),  # 2.5, 2.8, 2.6: every run within 3
        ([2.4, 2.5, 2.6], [1.0, 0.5, 1.0], "UNSETTLED"),  # the medians give 2.5, a quiet run gives 5
        ([3.5, 3.6, 3.4], [1.0, 1.0, 1.0], "FAIL"),
    ],
)
def test_a_ratio_target_is_met_only_when_every_paired_run_meets_it(targets, floors, verdict):
    ratio, paired, found = _analysis_bench().ratio_verdict(targets, floors, 3.0)
    assert ratio == pytest.approx(2.5 if verdict != "FAIL" else 3.5)
    assert paired == pytest.approx([target / floor for target, floor in zip(targets, floors, strict=True)])
    assert found == verdict
