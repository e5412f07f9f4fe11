"""Roundtable settings: one module, read from the environment.

Development needs nothing set: a SQLite file, DEBUG on and a generated key kept in
``.dev-secret-key``. Production sets ``DEBUG=false``, ``SECRET_KEY``, ``ALLOWED_HOSTS`` and
``DATABASE_URL``; with DEBUG off the app refuses to start on the development key.
"""

import secrets
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)

DEV_SECRET_KEY_FILE = BASE_DIR / ".dev-secret-key"
DEV_SECRET_KEY_PREFIX = "roundtable-dev-insecure-"  # noqa: S105 (a marker, not a secret)


def _development_secret_key() -> str:
    """A random key made once per checkout, so sessions survive a restart of the demo."""
    if not DEV_SECRET_KEY_FILE.exists():
        DEV_SECRET_KEY_FILE.write_text(DEV_SECRET_KEY_PREFIX + secrets.token_urlsafe(50))
    return DEV_SECRET_KEY_FILE.read_text().strip()


SECRET_KEY = env.str("SECRET_KEY", default="") or _development_secret_key()
if not DEBUG and SECRET_KEY.startswith(DEV_SECRET_KEY_PREFIX):
    raise ImproperlyConfigured(
        "DEBUG is off but SECRET_KEY is not set: refusing to run production on the development key. "
        "Set the SECRET_KEY environment variable to a long random string."
    )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "nested_admin",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_countries",
    "django_tasks",
    "django_tasks_db",
    "surveys",
    "analysis",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL's JIT compiler spends most of a second compiling each large analysis query, more
    # than it saves on queries of this size (docs/benchmarks.md); Django's queries never need it.
    # The summary counts millions of answers in one hash table, which spills to disk at the
    # default 4 MB of work memory. Both are per connection; DATABASE_OPTIONS replaces them.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "options", env.str("DATABASE_OPTIONS", default="-c jit=off -c work_mem=64MB")
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "staff:home"
LOGOUT_REDIRECT_URL = "login"

# Interface languages. Questionnaire content may hold a text for each of these.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("zh-hans", _("Simplified Chinese")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Computed analysis summaries are cached, keyed by the survey's latest submission, so a stale
# entry is never read. Per-process memory by default; CACHE_URL (e.g. dbcache://rt_cache after
# `createcachetable`, or redis://…) shares it between workers.
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://roundtable")}

# Background work (invitation and reminder emails) is queued in the database and run by
# `python manage.py db_worker`. Tests use the immediate backend (tests/conftest.py).
TASKS = {"default": {"BACKEND": env.str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend")}}

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Roundtable <roundtable@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Production hardening; each can be relaxed through the environment behind a TLS proxy.
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if env.bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"

# Roundtable's own settings.
# The public address experts' links in emails point at.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
ROUNDTABLE = {
    # Free-text answers longer than this are refused with a message, never truncated.
    "MAX_TEXT_ANSWER_CHARS": env.int("RT_MAX_TEXT_ANSWER_CHARS", default=20000),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
