"""Settings for the Haaglanden education partnership portal.

Everything that differs between machines comes from the environment (see .env.example).
The defaults are safe for development: SQLite under var/, tasks in-process, mail on the
console. Production sets DATABASE_URL, CELERY_BROKER_URL, SECRET_KEY and DEBUG=0.
"""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name, default=""):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name, default):
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name, default=""):
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. With DEBUG=0 the portal refuses to start without a secret "
            "key: set SECRET_KEY to a long random string (see .env.example)."
        )
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"  # noqa: S105

# localhost stays allowed so that container health checks can reach /healthz.
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "testserver") + ["127.0.0.1", "localhost"]
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
PORTAL_BASE_URL = env("PORTAL_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "portal",
    # modeltranslation must come before the admin.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "simple_history",
    "solo",
    "csp",
    "import_export",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "partners",
    "lokaal",
    "internships",
    "monitoring",
]

MIDDLEWARE = [
    # Outermost, so that every response gets the Content-Security-Policy header, including
    # the 413 below; it does not touch the request body.
    "csp.middleware.CSPMiddleware",
    # Refuses an oversized request from its Content-Length before anything reads the body.
    "portal.middleware.RequestBodyLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "portal.middleware.RequireSecondFactorMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "portal.context_processors.site_settings",
                "portal.context_processors.navigation",
            ],
        },
    },
]

# Database: DATABASE_URL (postgres://user:pass@host:5432/name) or an embedded SQLite file.
VAR_DIR = Path(env("VAR_DIR", str(BASE_DIR / "var")))
DATABASE_URL = env("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60), conn_health_checks=True
        )
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "portal.sqlite3",
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: used for login rate limits, so production points it at Redis to share it
# between web processes.
CACHE_URL = env("CACHE_URL")
if CACHE_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "portal.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    "portal.access.ProgrammeTeamPermissions",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "home"

# django-allauth: log in by e-mail, no open sign-up (users are invited), TOTP for staff.
ACCOUNT_ADAPTER = "portal.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
# A reset asked for an unknown address sends nothing: the form must not be a way to mail
# strangers (allauth would otherwise tell them that they have no account).
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_RATE_LIMITS = {
    # After 5 failed attempts for one e-mail address in 15 minutes (or 20 from one IP per
    # minute) further attempts are refused until the window has passed.
    "login_failed": env("LOGIN_FAILED_RATE_LIMIT", "20/m/ip,5/15m/key"),
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
}
# Behind proxies, the client's address is the one the proxies add to X-Forwarded-For: set
# this to the number of proxies in front of the portal (docker-compose: nginx, plus the
# TLS-terminating proxy in front of it, so 2). With 0 the peer address is used, which behind a
# proxy is the proxy's, and every visitor would share one login throttle and one intake limit.
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Onderwijsregio Haaglanden"

INVITATION_VALID_WORKING_DAYS = env_int("INVITATION_VALID_WORKING_DAYS", 10)

# Internationalisation: Dutch first, English complete.
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
# The first catalogue wins: locale_overrides/ holds only allauth's strings, reworded from
# allauth's informal "je" to the portal's "u" (docs/content-and-language.md). makemessages
# writes to locale/ only, so `make messages` never touches the overrides.
LOCALE_PATHS = [BASE_DIR / "locale_overrides", BASE_DIR / "locale"]
# Public texts (agreements, commitments, ...) have a Dutch and an English version; where the
# English one is missing, the Dutch one is shown (marked lang="nl" in the page).
MODELTRANSLATION_DEFAULT_LANGUAGE = "nl"
MODELTRANSLATION_LANGUAGES = ("nl", "en")
MODELTRANSLATION_FALLBACK_LANGUAGES = ("nl",)
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env("STATIC_ROOT", str(VAR_DIR / "static")))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST", not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# E-mail: printed on the console unless an SMTP server is configured.
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Onderwijsregio Haaglanden <noreply@example.org>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: with no broker configured tasks run in-process (the embedded default).
CELERY_BROKER_URL = env("CELERY_BROKER_URL")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
# A publish must not hang a web request when the broker is down: fail fast, the outbox or a
# PendingTask row keeps the work and a beat job publishes it again later (portal/queue.py).
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_CONNECTION_TIMEOUT = env_int("CELERY_BROKER_CONNECTION_TIMEOUT", 3)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 3, "socket_timeout": 5}
CELERY_BEAT_SCHEDULE = {
    "flush-outbox": {"task": "portal.tasks.flush_outbox", "schedule": 60.0},
    "publish-pending-tasks": {"task": "portal.tasks.publish_pending_tasks", "schedule": 60.0},
    "purge-expired": {"task": "portal.tasks.purge_expired", "schedule": 24 * 60 * 60.0},
    # The desk's safety net for intakes whose task did not run (lokaal.services.intake_accept).
    "lokaal-process-overdue-intakes": {
        "task": "lokaal.tasks.process_overdue_intakes",
        "schedule": 60.0,
    },
    # The desk's reminder of overdue first responses, on working-day mornings; it sends once
    # a day per person, so an extra run (by hand, a retried task) mails nobody twice.
    "lokaal-send-reminders": {
        "task": "lokaal.tasks.send_reminders",
        "schedule": crontab(hour=7, minute=30, day_of_week="mon-fri"),
    },
    # Monitoring: reminders to figures submitters before a round closes (once a day at most),
    # the biennial monitor on its schedule (the last complete two-year period, once), and the
    # watchdog that marks a monitor failed when no worker finished it in time.
    "monitoring-send-round-reminders": {
        "task": "monitoring.tasks.send_round_reminders",
        "schedule": crontab(hour=8, minute=0, day_of_week="mon-fri"),
    },
    "monitoring-scheduled-monitor": {
        "task": "monitoring.tasks.generate_scheduled_monitor",
        "schedule": crontab(hour=6, minute=0, day_of_month=15, month_of_year=1),
    },
    "monitoring-fail-stuck-monitors": {
        "task": "monitoring.tasks.fail_stuck_monitors",
        "schedule": 10 * 60.0,
    },
    # Internship reports past their response deadline: once a day per report.
    "internships-send-reminders": {
        "task": "internships.tasks.send_reminders",
        "schedule": crontab(hour=7, minute=45, day_of_week="mon-fri"),
    },
}
# An e-mail that still cannot be sent this many hours after it was written is marked failed
# (until then it is retried with growing pauses of up to two hours; see portal/mail.py).
OUTBOX_GIVE_UP_AFTER_HOURS = env_int("OUTBOX_GIVE_UP_AFTER_HOURS", 24)

# Uploads for imports: anything larger is refused with a message before parsing.
IMPORT_MAX_UPLOAD_BYTES = env_int("IMPORT_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)

# Retention periods for personal data, in days.
RETENTION_DAYS = {
    "outgoing_email": env_int("RETENTION_OUTGOING_EMAIL_DAYS", 30),
    "access_log": env_int("RETENTION_ACCESS_LOG_DAYS", 365),
    "invitation": env_int("RETENTION_INVITATION_DAYS", 90),
    "contact": env_int("RETENTION_CONTACT_DAYS", 730),
    "import_file": env_int("RETENTION_IMPORT_FILE_DAYS", 1),
    # Closed desk cases are anonymised (their figures stay) this long after closing.
    "desk_case": env_int("RETENTION_DESK_CASE_DAYS", 730),
    # Closed internship-discrimination reports are anonymised this long after closing: the
    # free text, contact details, messages, notes and attachments go; the counts stay.
    "internship_report": env_int("RETENTION_INTERNSHIP_REPORT_DAYS", 365),
}

# Keys that encrypt sensitive free text and attachments at rest (portal/crypto.py): a
# comma-separated list of Fernet keys, the first one encrypts, all of them decrypt, so a key
# is rotated by putting the new one first (then `manage.py rotate_encryption_keys`).
# Development derives one from SECRET_KEY; with DEBUG=0 it must be set.
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS")
if not FIELD_ENCRYPTION_KEYS and not DEBUG:
    raise ImproperlyConfigured(
        "FIELD_ENCRYPTION_KEYS is not set. With DEBUG=0 the portal refuses to start without "
        "the key that encrypts internship reports: see .env.example."
    )
# Files that must never be served as media (report attachments, encrypted): outside MEDIA_ROOT.
PRIVATE_STORAGE_ROOT = Path(env("PRIVATE_STORAGE_ROOT", str(VAR_DIR / "private")))

# The desk (lokaal): the key of the keyed hashes that find an earlier year's case of the
# same status holder without keeping a readable copy of their name or e-mail. Derived from
# SECRET_KEY unless set; rotating it makes earlier hashes unmatchable.
LOKAAL_IDENTITY_KEY = env("LOKAAL_IDENTITY_KEY") or f"lokaal-identity:{SECRET_KEY}"
# Working days between an intake and the first-response deadline.
LOKAAL_FIRST_RESPONSE_WORKING_DAYS = env_int("LOKAAL_FIRST_RESPONSE_WORKING_DAYS", 5)
# The public intake's limit per client (IP address): "<count>/<seconds>", e.g. "5/600" for
# five intakes in ten minutes; empty or "0" switches it off.
LOKAAL_INTAKE_RATE = env("LOKAAL_INTAKE_RATE", "5/600")

# Monitoring: the days before a round's close date on which figures submitters who have not
# submitted get a reminder, the change against last year above which a value needs a comment
# (0.5 = 50 %), and the seconds a monitor may take before it is marked failed.
MONITORING_REMINDER_DAYS = [int(d) for d in env_list("MONITORING_REMINDER_DAYS", "14,3")]
MONITORING_CHANGE_THRESHOLD = float(env("MONITORING_CHANGE_THRESHOLD", "0.5"))
MONITOR_TIME_LIMIT_SECONDS = env_int("MONITOR_TIME_LIMIT_SECONDS", 600)

# Equal internship opportunities: working days a handler has for the first response to a
# report, the limits on the public form and on receipt-code entry per client ("<count>/<seconds>",
# empty or "0" switches a limit off), and the attachments a report may carry.
INTERNSHIPS_RESPONSE_WORKING_DAYS = env_int("INTERNSHIPS_RESPONSE_WORKING_DAYS", 5)
INTERNSHIPS_REPORT_RATE = env("INTERNSHIPS_REPORT_RATE", "5/600")
INTERNSHIPS_CODE_RATE = env("INTERNSHIPS_CODE_RATE", "10/900")
INTERNSHIPS_MAX_ATTACHMENTS = env_int("INTERNSHIPS_MAX_ATTACHMENTS", 3)
INTERNSHIPS_MAX_ATTACHMENT_BYTES = env_int("INTERNSHIPS_MAX_ATTACHMENT_BYTES", 10 * 1024 * 1024)

# The partner API (portal.api, /api/v1/): the requests a minute per token and per address
# without a token ("<count>/<period>": s, min, hour or day), the largest body and batch, the
# longest a token may live, and the language of its messages.
API_TOKEN_RATE = env("API_TOKEN_RATE", "60/min")
API_ANONYMOUS_RATE = env("API_ANONYMOUS_RATE", "30/min")
API_MAX_BODY_BYTES = env_int("API_MAX_BODY_BYTES", 1024 * 1024)
API_MAX_BATCH_ITEMS = env_int("API_MAX_BATCH_ITEMS", 2000)
API_TOKEN_MAX_DAYS = env_int("API_TOKEN_MAX_DAYS", 366)
API_LANGUAGE = "en"
# The prefix of the throttle's counters in the cache (the tests give each test its own).
API_THROTTLE_NAMESPACE = "api-throttle"
# Every API view takes its authentication, permissions, throttle and parser from
# portal.api.ApiMixin (a default naming portal.api would be a circular import). The defaults
# here only make sure that no view, the schema's included, accepts a session.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "portal.api.exception_handler",
    "UNAUTHENTICATED_USER": None,
    "COERCE_DECIMAL_TO_STRING": False,
    "DATETIME_FORMAT": "iso-8601",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Onderwijsregio Haaglanden partner API",
    "DESCRIPTION": (
        "Yearly figures of the partners of the Haaglanden education region: reporting "
        "rounds, indicator definitions, an organisation's own values and batches of new "
        "values, and the approved public aggregates. See docs/api.md for a worked example."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {},
}

# Security. Production (DEBUG=0) gets the settings that `check --deploy` asks for.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Content-Security-Policy (django-csp) on every response. Scripts and styles come only from
# our own static files: templates hold no inline script, <style> or style="..." attribute.
# No nonces, because public pages are cached and a nonce in a cached page would be stale.
# Images also allow data: URIs, for the TOTP QR code that allauth renders inline.
# CSP_REPORT_ONLY=1 sends the same policy as Content-Security-Policy-Report-Only (browsers
# then only report, to the console or to CSP_REPORT_URI, and block nothing).
_CSP = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "report-uri": env_list("CSP_REPORT_URI") or None,
    }
}
if env_bool("CSP_REPORT_ONLY", False):
    CONTENT_SECURITY_POLICY_REPORT_ONLY = _CSP
else:
    CONTENT_SECURITY_POLICY = _CSP

# Request limits. Each layer refuses an oversized body before it is read: the proxy
# (deploy/nginx.conf, client_max_body_size), then portal.middleware.RequestBodyLimitMiddleware
# from the Content-Length header (gunicorn has no body-size limit of its own). The cap leaves
# room above the largest import file for the form fields and multipart framing.
REQUEST_MAX_BODY_BYTES = env_int(
    "REQUEST_MAX_BODY_BYTES", IMPORT_MAX_UPLOAD_BYTES + 2 * 1024 * 1024
)
# Form fields other than files (Django answers 400 above this) and the size above which an
# uploaded file is streamed to a temporary file instead of kept in memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 2_621_440)
FILE_UPLOAD_MAX_MEMORY_SIZE = env_int("FILE_UPLOAD_MAX_MEMORY_SIZE", 2_621_440)
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = True
# Cells that start with = + - @ are neutralised in every export (formula injection).
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
