"""Django settings for Attendwise.

Everything a deployment changes comes from the environment:

- ``DATABASE_URL``: the database (default: SQLite at ``var/attendwise.sqlite3``);
  PostgreSQL is the production database, e.g. ``postgres://user@host/attendwise``.
- ``ATTENDWISE_HOME``: where the SQLite file and letters live (default ``var``).
- ``ATTENDWISE_SECRET_KEY``: required when ``ATTENDWISE_DEBUG`` is off.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

HOME = Path(os.environ.get("ATTENDWISE_HOME", "var")).resolve()
DEBUG = os.environ.get("ATTENDWISE_DEBUG", "1") == "1"
SECRET_KEY = os.environ.get("ATTENDWISE_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise RuntimeError("ATTENDWISE_SECRET_KEY must be set when debug is off")
    SECRET_KEY = "attendwise-local-development-only"

ALLOWED_HOSTS = os.environ.get("ATTENDWISE_ALLOWED_HOSTS", "127.0.0.1,localhost").split(
    ","
)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "attendwise.web.register",
    "attendwise.web.cases",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "attendwise.web.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{HOME / 'attendwise.sqlite3'}",
        conn_max_age=0,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Imports and the daily run write in one transaction; wait for a lock
    # rather than fail when the web application is reading. Write-ahead
    # logging lets readers go on while a run writes; IMMEDIATE transactions
    # take the write lock up front, so two writers queue instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

LETTERS_DIR = HOME / "letters"

# The technical log carries no personal data: pupils appear by database id.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "stderr": {"class": "logging.StreamHandler", "formatter": "plain"},
    },
    "loggers": {
        "attendwise": {
            "handlers": ["stderr"],
            "level": os.environ.get("ATTENDWISE_LOG_LEVEL", "WARNING"),
        },
    },
}
