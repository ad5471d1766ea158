"""MaakMatch settings: one module, read from the environment.

Every variable is documented in the README's "Settings" table. Defaults suit a
developer's machine (SQLite, Celery's filesystem broker, console email), so
``make run`` needs no services. A bad value raises ``ImproperlyConfigured`` here,
at import time.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import (
    env_bool,
    env_choice,
    env_database,
    env_email,
    env_int,
    env_list,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("MAAKMATCH_VAR_DIR", str(BASE_DIR / "var")) or "").resolve()

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "web.apps.AdminConfig",  # the admin, behind the second factor
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "accounts",
    "audit",
    "marketplace",
    "matching",
    "learning",
    "notifications",
    "insights",
    "privacy",
    "worker",
    "api",
    "web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.RejectNulBytes",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Marks each request's user with whether this session entered a one-time code;
    # accounts.selectors decides which powers need it (coordinators, admin staff).
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "api.middleware.OrganisationKeyAudit",
    # Last: it turns a lockout raised during authentication into the lockout page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # First: refuses a login while the person (or address) is locked out.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "web.context_processors.notifications",
            ],
        },
    },
]

FORM_RENDERER = "web.renderer.ThemedFormRenderer"
# A filter's empty choice: every value, said as "Alle" instead of "---------".
FILTERS_EMPTY_CHOICE_LABEL = _("All")

DATABASES = {"default": env_database("DATABASE_URL", VAR_DIR / "db.sqlite3")}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # SQLite cannot create the folder its file lives in.
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:dashboard"
LOGOUT_REDIRECT_URL = "web:home"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Dutch first, English complete. Message ids in code are English.
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")) or "")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

_email = env_email("EMAIL_URL", "console://")
EMAIL_BACKEND = _email.pop("EMAIL_BACKEND")
globals().update(_email)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "MaakMatch <noreply@maakmatch.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
# Behind a TLS-terminating proxy that sets X-Forwarded-Proto, so that links in
# emails (password reset, invitations) start with https://.
if env_bool("TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
# HTTPS only: production sets these (see the README's settings and `check --deploy`).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Health checks come over plain HTTP from inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Content-Security-Policy: scripts and styles only from this site, never inline.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Two-factor authentication (TOTP, django-otp) for coordinators and admin staff.
# Which powers need it is decided in accounts.selectors, not by paths.
OTP_TOTP_ISSUER = "MaakMatch"
# A coordinator's or staff member's first authenticator is set up through a link
# e-mailed to the account's address, valid this long and once.
# manage.py learn_weights learns nothing from fewer decisions than this.
MAAKMATCH_LEARN_MIN_DECISIONS = env_int("MAAKMATCH_LEARN_MIN_DECISIONS", 200, minimum=10)
MAAKMATCH_SECOND_FACTOR_LINK_MINUTES = env_int(
    "MAAKMATCH_SECOND_FACTOR_LINK_MINUTES", 60, minimum=1
)

# Login throttling (django-axes): after 5 failed attempts for one account from one
# address, that pair is locked out for 15 minutes.
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# Keep no log of successful logins: only what throttling needs.
AXES_DISABLE_ACCESS_LOG = True
AXES_USERNAME_FORM_FIELD = "username"
# Reverse proxies in front of the app: how many X-Forwarded-For entries to believe.
# Lockout and the API's request limits read the client's address the same way.
MAAKMATCH_PROXY_COUNT = env_int("PROXY_COUNT", env_int("AXES_PROXY_COUNT", 0, minimum=0), minimum=0)
AXES_CLIENT_IP_CALLABLE = "accounts.identity.client_address"
AXES_USERNAME_CALLABLE = "accounts.identity.lockout_username"

# --- MaakMatch's own tunables -------------------------------------------------
# Students younger than this need parental consent recorded by a counsellor.
MAAKMATCH_PARENTAL_CONSENT_AGE = 16
# The minute sweep re-enqueues rows flagged for matching longer ago than this.
MAAKMATCH_SWEEP_GRACE = dt.timedelta(seconds=30)
# A running full recompute with no chunk finished for this long is resumed by the sweep.
MAAKMATCH_RUN_STALL = dt.timedelta(seconds=env_int("MAAKMATCH_RUN_STALL_SECONDS", 900, minimum=1))
# Webhook endpoints must be https://; plain http:// only for local development.
MAAKMATCH_WEBHOOKS_ALLOW_HTTP = env_bool("MAAKMATCH_WEBHOOKS_ALLOW_HTTP", DEBUG)
# A full recompute scores this many profiles per chunk (one task each).
MAAKMATCH_RUN_CHUNK_PROFILES = env_int("MAAKMATCH_RUN_CHUNK_PROFILES", 2000, minimum=1)
# Published openings expire after this many days without a change.
MAAKMATCH_OPENING_OPEN_DAYS = 90
# Retention: a profile inactive this long is warned, then erased this many days later;
# rejected or withdrawn suggestions are deleted after this many months.
MAAKMATCH_RETENTION_INACTIVE_MONTHS = env_int("MAAKMATCH_RETENTION_INACTIVE_MONTHS", 18, minimum=1)
MAAKMATCH_RETENTION_WARNING_DAYS = env_int("MAAKMATCH_RETENTION_WARNING_DAYS", 30, minimum=1)
MAAKMATCH_RETENTION_DECIDED_MONTHS = env_int("MAAKMATCH_RETENTION_DECIDED_MONTHS", 12, minimum=1)
# How long a counsellor's invitation link stays valid.
MAAKMATCH_INVITATION_DAYS = env_int("MAAKMATCH_INVITATION_DAYS", 30, minimum=1)
# Imports with more rows than this run on the worker, with a progress bar.
MAAKMATCH_IMPORT_INLINE_ROWS = env_int("MAAKMATCH_IMPORT_INLINE_ROWS", 500, minimum=1)
# Where people reach the site: links in emails sent by the worker (no request there).
MAAKMATCH_BASE_URL = (env_str("MAAKMATCH_BASE_URL") or "http://localhost:8000").rstrip("/")
# A student's daily digest lists at most this many suggestions, and at most this
# many from one company, so that one busy company cannot fill it.
MAAKMATCH_DIGEST_MAX_SUGGESTIONS = 10
MAAKMATCH_DIGEST_MAX_PER_COMPANY = 2

# --- REST framework -----------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON bodies only, so generated clients send JSON; uploads say multipart.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": [
        "api.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pagination",
    "PAGE_SIZE": 25,
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.AnonThrottle", "api.throttling.UserThrottle"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.exceptions.exception_handler",
    # Throttling reads the client's address through config.client_address, which
    # honours MAAKMATCH_PROXY_COUNT; this keeps DRF's own reading the same.
    "NUM_PROXIES": MAAKMATCH_PROXY_COUNT,
}
# Requests per minute: per anonymous IP address, and per logged-in user.
API_THROTTLE_RATES = {
    "anon": env_str("API_THROTTLE_ANON", "60/minute"),
    "user": env_str("API_THROTTLE_USER", "600/minute"),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "MaakMatch API",
    "DESCRIPTION": (
        "Internships, apprenticeships and jobs in Utrecht-West's manufacturing SMEs. "
        "Authenticate with a session, a personal API token or an organisation key "
        "(`Authorization: Bearer <key>`). Every error has the shape "
        "`{error, detail, fields}`; 429 means too many requests (see `Retry-After`). "
        "How to connect a school's or company's system (organisation keys, the "
        "whole chain in curl and in a generated client, ids, timestamps, "
        "pagination, errors): [Integrating](/integrating/)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "EducationLevelEnum": "accounts.models.EducationLevel",
        "SectorEnum": "accounts.models.Sector",
        "OpeningTypeEnum": "marketplace.models.OpeningType",
        "MatchStateEnum": "matching.models.MatchState",
        "ImportanceEnum": "marketplace.models.Importance",
        "NotificationKindEnum": "notifications.models.NotificationKind",
        "OrganisationKindEnum": "accounts.models.OrganisationKind",
        "WebhookEventEnum": "notifications.models.WebhookEvent",
        "AudienceEnum": "learning.models.Audience",
        "EnrolmentStatusEnum": "learning.models.EnrolmentStatus",
        "GuestFormatEnum": "learning.models.GuestFormat",
        "GuestVenueEnum": "learning.models.GuestVenue",
        "GuestFrequencyEnum": "learning.models.GuestFrequency",
        "GuestRequestStatusEnum": "learning.models.GuestRequestStatus",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.error_responses",
        "api.schema.integer_ids",
    ],
}
# Throttle counters and other short-lived values: Redis when there is one, so that
# every web process counts together; otherwise this process's memory.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    if (REDIS_URL := env_str("REDIS_URL"))
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

# --- Celery -------------------------------------------------------------------
# REDIS_URL (or an explicit CELERY_BROKER_URL) selects a real broker. With
# neither, Celery's filesystem transport under var/broker/ lets a real worker
# process run with no server at all (the embedded default of ``make run``).
REDIS_URL = env_str("REDIS_URL")
# "localhost" only names the (local) folder transport; without it kombu warns.
FILESYSTEM_BROKER_URL = "filesystem://localhost//"
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL or FILESYSTEM_BROKER_URL)
CELERY_RESULT_BACKEND = env_str(
    "CELERY_RESULT_BACKEND", REDIS_URL or f"file://{VAR_DIR / 'celery-results'}"
)


# Seconds before Redis hands an unacknowledged task to another worker: must exceed
# CELERY_TASK_TIME_LIMIT. Tests lower it to see a killed worker's task come back.
REDIS_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", 3600, minimum=1)


def filesystem_broker_options(var_dir: Path) -> dict[str, object]:
    """Folders of Celery's filesystem transport; kombu would otherwise put its
    control folder in the current directory."""
    queue = var_dir / "broker" / "queue"
    return {
        "data_folder_in": str(queue),
        "data_folder_out": str(queue),
        "control_folder": str(var_dir / "broker" / "control"),
        "processed_folder": str(var_dir / "broker" / "processed"),
        "store_processed": False,
    }


CELERY_BROKER_TRANSPORT_OPTIONS = (
    filesystem_broker_options(VAR_DIR)
    if CELERY_BROKER_URL.startswith("filesystem://")
    # Above the longest task (CELERY_TASK_TIME_LIMIT), or Redis redelivers it meanwhile.
    else {"visibility_timeout": REDIS_VISIBILITY_TIMEOUT}
)
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"visibility_timeout": REDIS_VISIBILITY_TIMEOUT}
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 60 * 60 * 24
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 300, minimum=1)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 360, minimum=1)
if CELERY_TASK_TIME_LIMIT <= CELERY_TASK_SOFT_TIME_LIMIT:
    raise ImproperlyConfigured(
        "CELERY_TASK_TIME_LIMIT must be larger than CELERY_TASK_SOFT_TIME_LIMIT."
    )
if CELERY_TASK_TIME_LIMIT >= REDIS_VISIBILITY_TIMEOUT:
    raise ImproperlyConfigured(
        f"CELERY_TASK_TIME_LIMIT must stay below {REDIS_VISIBILITY_TIMEOUT} s, Redis's "
        "visibility timeout, or a running task is delivered twice."
    )
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "worker.match_*": {"queue": "matching"},
    "worker.matching_sweep": {"queue": "default"},
}
# Periodic tasks, in one place.
CELERY_BEAT_SCHEDULE = {
    "matching-sweep": {"task": "worker.matching_sweep", "schedule": 60.0},
    "webhooks-sweep": {"task": "worker.webhooks_sweep", "schedule": 60.0},
    "match-full-recompute": {
        "task": "worker.match_full_recompute",
        "schedule": crontab(hour=2, minute=30),
    },
    "openings-expire": {"task": "worker.openings_expire", "schedule": crontab(hour=3, minute=0)},
    # After the nightly recompute, before people start their day.
    "digests-send": {"task": "worker.digests_send", "schedule": crontab(hour=7, minute=0)},
    "retention-run": {"task": "worker.retention_run", "schedule": crontab(hour=3, minute=30)},
    # Just after a quarter ends: freeze its figures (idempotent; it retries).
    "kpi-snapshot-quarter": {
        "task": "worker.kpi_snapshot_quarter",
        "schedule": crontab(day_of_month=1, month_of_year="1,4,7,10", hour=0, minute=30),
    },
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {
        "handlers": ["console"],
        "level": env_choice("LOG_LEVEL", "INFO", {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}),
    },
}
