"""Django settings for Attendwise.

Everything a deployment changes comes from the environment:

- ``DATABASE_URL``: the database (default: SQLite at ``var/attendwise.sqlite3``);
  PostgreSQL is the production database, e.g. ``postgres://user@host/attendwise``.
- ``ATTENDWISE_HOME``: where the SQLite file and letters live (default ``var``).
- ``ATTENDWISE_SECRET_KEY``: the secret key; without it one is made on first
  use and kept in ``$ATTENDWISE_HOME/secret-key`` (readable by its owner only).
- ``ATTENDWISE_DEBUG``: "1" shows Django's technical pages (local development
  only: they list the URLs and, on an error, local values with personal data).
- ``ATTENDWISE_TODAY``: the school day the web application treats as today
  (ISO date; default: today in Europe/London), for the demo and tests.
- ``ATTENDWISE_HTTPS``: "1" when served over HTTPS (secure cookies, HSTS).
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

from attendwise.web.secretkey import secret_key

HOME = Path(os.environ.get("ATTENDWISE_HOME", "var")).resolve()
# Off unless asked for: the technical error pages show local values, which
# carry pupils' personal data.
DEBUG = os.environ.get("ATTENDWISE_DEBUG", "0") == "1"
# Kept in HOME once there is a database to serve (an embedded one there, or
# DATABASE_URL): a command that finds no database writes nothing.
SECRET_KEY = os.environ.get("ATTENDWISE_SECRET_KEY", "") or secret_key(
    HOME,
    keep="DATABASE_URL" in os.environ or (HOME / "attendwise.sqlite3").exists(),
)

ALLOWED_HOSTS = os.environ.get("ATTENDWISE_ALLOWED_HOSTS", "127.0.0.1,localhost").split(
    ","
)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "attendwise.web.register",
    "attendwise.web.cases",
    "attendwise.web.ui",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "attendwise.web.ui.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
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
                "attendwise.web.ui.context.staff",
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
UPLOADS_DIR = HOME / "uploads"
PRINT_RUNS_DIR = HOME / "print-runs"

# -- the web application -------------------------------------------------------

TODAY = os.environ.get("ATTENDWISE_TODAY", "")
LOGIN_URL = "ui:sign-in"
# After signing in, each person goes to their role's first page (the
# worklist or the dashboard: attendwise.web.ui.access.first_page).
LOGIN_REDIRECT_URL = "ui:home"
LOGOUT_REDIRECT_URL = "ui:sign-in"

# Front-end packages (GOV.UK Frontend, MOJ Frontend) are built by `make`
# into the ui app's static folder; WhiteNoise serves them from there, found
# through the static-file finders when the application starts (no
# collectstatic), and looked up again on each request in debug.
STATIC_URL = "/static/"
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Sessions: the cookie never reaches scripts, ends with the browser and
# after 8 hours of a working day at most; over HTTPS it is secure only.
HTTPS = os.environ.get("ATTENDWISE_HTTPS", "0") == "1"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = 8 * 60 * 60
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
CSRF_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "SAMEORIGIN"  # letter previews are framed by our own pages
DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024

#: Imports: a file up to this size is checked and applied within the
#: request; a larger one by a worker thread that the job page follows. A
#: running job writes a heartbeat this often, and one whose heartbeat is
#: older than the stale time (its process died) is shown as failed.
IMPORT_INLINE_BYTES = 256 * 1024
IMPORT_HEARTBEAT_SECONDS = 2.0
IMPORT_STALE_SECONDS = 60.0

#: Failed sign-ins per name (or per address) within the window, then a wait.
SIGN_IN_FAILURES_ALLOWED = 5
SIGN_IN_WINDOW_SECONDS = 15 * 60

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
        # Django's request log names the path, which can carry a pupil's id
        # but never a name; keep it at warnings.
        "django.request": {"handlers": ["stderr"], "level": "ERROR"},
    },
}
