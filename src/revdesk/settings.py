"""Django settings, read from the environment.

REVDESK_ENV          "development" (default) or "production" (safe defaults, secrets required)
REVDESK_HOME         data directory (default ./var); holds the SQLite file, uploads, exports
DATABASE_URL         e.g. postgres://user@127.0.0.1:5432/revdesk (default: SQLite in REVDESK_HOME)
REVDESK_CONN_MAX_AGE  seconds a web thread keeps its database connection (default 600; 0 opens
                     one for every request)
REVDESK_SECRET_KEY   required in production
REVDESK_DEBUG        "1" shows Django's debug pages (developers only); off by default
REVDESK_ALLOWED_HOSTS  comma separated; defaults to localhost in development
REVDESK_REPORTING_CURRENCY  ISO code of the reporting currency (default USD)
REVDESK_COMPANY_NAME  the company named on commission statements (default Revdesk)
REVDESK_REMITTANCE   how customers pay, printed on statements of account (bank, reference)
REVDESK_TASKS_BACKEND  "database" (default: a worker process runs background work, see
                     `revdesk worker`) or "immediate" (run it inside the request; tests)
REVDESK_IMPORT_MAX_MB  largest file the web import takes, in megabytes (default 50)
REVDESK_ATTACHMENT_MAX_MB  largest file attached to a case (upload or e-mail), default 20
REVDESK_SMTP_HOST    mail server for case replies; unset: replies are written as files to
                     REVDESK_HOME/outbox in development, sent to localhost:25 in production
REVDESK_SMTP_PORT    its port (default 587 with REVDESK_SMTP_TLS=starttls, 465 with ssl, else 25)
REVDESK_SMTP_USER, REVDESK_SMTP_PASSWORD  login at the mail server, if it needs one
REVDESK_SMTP_TLS     "starttls" (or 1), "ssl" (TLS from the first byte) or 0 (default 0)
REVDESK_MAIL_FROM    sender of replies of a team without its own address, and of notifications
                     (default revdesk@localhost)
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


REVDESK_ENV = os.environ.get("REVDESK_ENV", "development").strip().lower()
PRODUCTION = REVDESK_ENV == "production"

REVDESK_HOME = Path(os.environ.get("REVDESK_HOME", Path.cwd() / "var")).expanduser().resolve()

SECRET_KEY = os.environ.get("REVDESK_SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("REVDESK_SECRET_KEY must be set when REVDESK_ENV=production.")
    SECRET_KEY = "revdesk-development-only-key-never-use-in-production"

# Off unless asked for: the demo and every install show Revdesk's own error pages, never
# Django's debug pages (which list the URL patterns and settings).
DEBUG = _flag("REVDESK_DEBUG", default=False)
if DEBUG and PRODUCTION:
    raise ImproperlyConfigured("REVDESK_DEBUG=1 is not allowed when REVDESK_ENV=production.")
ALLOWED_HOSTS = _list(
    "REVDESK_ALLOWED_HOSTS", "" if PRODUCTION else "localhost,127.0.0.1,[::1],testserver"
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("REVDESK_ALLOWED_HOSTS must be set when REVDESK_ENV=production.")
CSRF_TRUSTED_ORIGINS = _list("REVDESK_CSRF_TRUSTED_ORIGINS", "")

REPORTING_CURRENCY = os.environ.get("REVDESK_REPORTING_CURRENCY", "USD").upper()
REVDESK_COMPANY_NAME = os.environ.get("REVDESK_COMPANY_NAME", "").strip() or "Revdesk"
REVDESK_REMITTANCE = os.environ.get("REVDESK_REMITTANCE", "").strip() or (
    "Please pay by bank transfer quoting the invoice numbers, and send the remittance advice "
    "to your collector."
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "revdesk.foundation",
    "revdesk.parties",
    "revdesk.catalog",
    "revdesk.cases",
    "revdesk.orders",
    "revdesk.receivables",
    "revdesk.compensation",
    "revdesk.ingest",
    "revdesk.quality",
    "revdesk.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "revdesk.foundation.middleware.RequestIdMiddleware",
]

ROOT_URLCONF = "revdesk.urls"
WSGI_APPLICATION = "revdesk.wsgi.application"

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
                "revdesk.web.context_processors.navigation",
            ],
        },
    },
]

if "DATABASE_URL" in os.environ:
    # Each web thread keeps its connection (checked before reuse after a request) instead of
    # opening one for every request: a new PostgreSQL connection costs a server process.
    DATABASES = {
        "default": dj_database_url.parse(
            os.environ["DATABASE_URL"],
            conn_max_age=int(os.environ.get("REVDESK_CONN_MAX_AGE", "600")),
            conn_health_checks=True,
        )
    }
else:
    REVDESK_HOME.mkdir(parents=True, exist_ok=True)
    DATABASES = {"default": dj_database_url.parse(f"sqlite:///{REVDESK_HOME / 'revdesk.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web app read while an import writes; a busy timeout instead of "locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Background work (docs/decisions/0006-background-work.md): the Django tasks API. By default
# tasks wait in the database until `revdesk worker` (started by `revdesk serve`) runs them.
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
_task_backend = os.environ.get("REVDESK_TASKS_BACKEND", "database").strip().lower()
if _task_backend not in _TASK_BACKENDS:
    raise ImproperlyConfigured(
        f"REVDESK_TASKS_BACKEND must be one of {', '.join(_TASK_BACKENDS)}, not {_task_backend!r}."
    )
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[_task_backend]}}

# Files uploaded for import wait here (in folders with random names) until a worker runs them.
REVDESK_UPLOADS = REVDESK_HOME / "uploads"
REVDESK_IMPORT_MAX_BYTES = int(float(os.environ.get("REVDESK_IMPORT_MAX_MB", "50")) * 1024 * 1024)
REVDESK_ATTACHMENT_MAX_BYTES = int(
    float(os.environ.get("REVDESK_ATTACHMENT_MAX_MB", "20")) * 1024 * 1024
)

# Outgoing mail (case replies, cases/mail.py) through Django's e-mail backend.
_smtp_tls = os.environ.get("REVDESK_SMTP_TLS", "0").strip().lower()
if _smtp_tls not in {"0", "", "no", "off", "false", "1", "yes", "on", "true", "starttls", "ssl"}:
    raise ImproperlyConfigured(f"REVDESK_SMTP_TLS must be starttls, ssl or 0, not {_smtp_tls!r}.")
EMAIL_USE_SSL = _smtp_tls == "ssl"
EMAIL_USE_TLS = _smtp_tls in {"1", "yes", "on", "true", "starttls"}
EMAIL_HOST = os.environ.get("REVDESK_SMTP_HOST", "").strip()
EMAIL_PORT = int(
    os.environ.get("REVDESK_SMTP_PORT") or (465 if EMAIL_USE_SSL else 587 if EMAIL_USE_TLS else 25)
)
EMAIL_HOST_USER = os.environ.get("REVDESK_SMTP_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("REVDESK_SMTP_PASSWORD", "")
EMAIL_TIMEOUT = 30
DEFAULT_FROM_EMAIL = os.environ.get("REVDESK_MAIL_FROM", "revdesk@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if EMAIL_HOST or PRODUCTION:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = EMAIL_HOST or "localhost"
else:
    # Development without a mail server: each reply is written to a file to look at.
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = REVDESK_HOME / "outbox"
    EMAIL_HOST = "localhost"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("REVDESK_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = REVDESK_HOME / "static"
MEDIA_ROOT = REVDESK_HOME / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    # HTTPS only: secure cookies, redirect plain HTTP, and HSTS for a year. A site that must
    # stay reachable over HTTP sets REVDESK_SSL_REDIRECT=0 and REVDESK_HSTS_SECONDS=0.
    SESSION_COOKIE_SECURE = _flag("REVDESK_SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_SSL_REDIRECT = _flag("REVDESK_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("REVDESK_HSTS_SECONDS", str(365 * 24 * 3600)))
# Trust X-Forwarded-Proto only behind a proxy that sets it; otherwise a client could claim
# HTTPS and defeat the redirect and secure-cookie checks.
if _flag("REVDESK_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("REVDESK_LOG_LEVEL", "WARNING")},
}
