"""Django settings, all read from the environment (see `.env.example`): the one place of every default. Apps read
them from `django.conf.settings` (through their own `conf.py` where they group them), never with defaults of their
own."""

from datetime import timedelta

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.documents import documents_storage_config
from config.env import BASE_DIR, env_bool, env_int, env_list, env_str, env_url_or_off
from config.production import (
    DEVELOPMENT_DEMO_PASSWORD,
    DEVELOPMENT_PUBLISHER_EMAIL,
    DEVELOPMENT_SECRET_KEY,
    production_refusals,
)

# `development` (default: DEBUG, local TSA, MapProxy demo pages) or `production` (refuses to start with any
# development setting left: config/production.py; secure cookies, HSTS, TLS behind a proxy).
URBAPLAN_ENV = env_str("URBAPLAN_ENV", "development").strip().lower()
if URBAPLAN_ENV not in {"development", "production"}:
    raise ImproperlyConfigured(f"URBAPLAN_ENV must be 'development' or 'production', not {URBAPLAN_ENV!r}")
PRODUCTION = URBAPLAN_ENV == "production"

SECRET_KEY = env_str("DJANGO_SECRET_KEY", DEVELOPMENT_SECRET_KEY)
DEBUG = env_bool("DJANGO_DEBUG", not PRODUCTION)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"])

# The tour (development only): the one password of the demo accounts (`manage.py demo_accounts`, shown on the
# terminal and on the sign-in page), and the development tools (mail catcher outbox page at /dev/outbox/, the
# outbox SMS provider): on with DEBUG outside production. Production refuses a demo password and the tools.
DEMO_PASSWORD = env_str("DEMO_PASSWORD", "" if PRODUCTION else DEVELOPMENT_DEMO_PASSWORD)
DEVELOPMENT_TOOLS = env_bool("DEVELOPMENT_TOOLS", DEBUG and not PRODUCTION)
# Where the development mail catcher (`manage.py mail_catcher`) and the outbox SMS provider keep the messages.
DEV_OUTBOX_DIR = BASE_DIR / env_str("DEV_OUTBOX_DIR", "var/outbox")

# HTTPS: the platform runs behind a TLS-terminating proxy in production, which sets X-Forwarded-Proto.
BEHIND_TLS_PROXY = env_bool("DJANGO_BEHIND_TLS_PROXY", PRODUCTION)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_TLS_PROXY else None
SECURE_SSL_REDIRECT = env_bool("DJANGO_SSL_REDIRECT", PRODUCTION)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", PRODUCTION)
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 365 * 24 * 3600 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", PRODUCTION)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", PRODUCTION)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp, with a policy per route: gis_core/csp.py). Our pages pass the strict policy:
# scripts and styles from our static files only (data reach the scripts through `json_script` blocks), no inline
# script or style, no eval. MapLibre GL JS starts its worker from a blob: URL and decodes images from data:/blob:.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "worker-src": [SELF, "blob:"],
        "child-src": [SELF, "blob:"],  # the worker's fallback in older browsers
        "frame-src": [NONE],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "report-uri": env_str("CSP_REPORT_URI", "") or None,  # where browsers report violations (optional)
    }
}
# Routes whose HTML we do not write, with what they need on top of the strict policy (replacing its directives).
CONTENT_SECURITY_POLICY_ROUTES = [
    # Redoc (drf-spectacular's sidecar, our own static files): styled-components writes <style> elements, and the
    # search index runs in a worker from a blob: URL.
    ("/api/docs/", {"style-src": [SELF, UNSAFE_INLINE]}),
    # pygeoapi's stock HTML (?f=html; JSON is what clients read): Leaflet and Bootstrap from CDNs, inline scripts
    # and styles, OpenStreetMap tiles. Issue 14 replaces these templates with ours; the strict policy then applies.
    (
        "/ogc",
        {
            "script-src": [
                SELF,
                UNSAFE_INLINE,
                "https://unpkg.com",
                "https://cdn.jsdelivr.net",
                "https://cdnjs.cloudflare.com",
            ],
            "style-src": [
                SELF,
                UNSAFE_INLINE,
                "https://unpkg.com",
                "https://cdn.jsdelivr.net",
                "https://fonts.googleapis.com",
            ],
            "font-src": [SELF, "https://fonts.gstatic.com", "https://cdn.jsdelivr.net"],
            "img-src": [SELF, "data:", "blob:", "https://*.tile.openstreetmap.org", "https://unpkg.com"],
        },
    ),
    # MapProxy's demo pages (development only, WMS_DEMO): OpenLayers with inline scripts and styles.
    ("/ows/demo", {"script-src": [SELF, UNSAFE_INLINE], "style-src": [SELF, UNSAFE_INLINE]}),
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "django.contrib.humanize",  # allauth.usersessions' list of sessions ("3 hours ago")
    "rest_framework",
    "rest_framework_gis",
    "axes",  # failed sign-ins lock the account for a while (gis_core.limits.lockout)
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "gis_core",
    "gis_core.api_tokens",
    "gis_core.documents",
    "gis_core.notifications",
    "gis_core.signing",
    "gis_core.backups",
    "parcels",
    "permits",
    "permits.commissions",
    "permits.inspections",
    "demo",
    "ogc_services",
    "ogc_services.wms",
    "tiles",
    "opendata",
    "web",
    # after `web`, whose templates (web/templates/account, mfa, usersessions, allauth) replace allauth's own
    "allauth",  # accounts people create themselves (web.accounts): sign-up, e-mail verification, reset, 2FA
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
]

MIDDLEWARE = [
    "gis_core.limits.clients.ClientAddressMiddleware",  # REMOTE_ADDR: the client behind TRUSTED_PROXY_COUNT proxies
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # static files: compressed, cached for ever when hashed
    "gis_core.csp.RoutePolicyMiddleware",  # Content-Security-Policy (CONTENT_SECURITY_POLICY above)
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "gis_core.limits.throttles.ThrottleMiddleware",  # THROTTLE_PATHS, before any other work (in the user's language)
    "gis_core.limits.bodies.BodyLimitMiddleware",  # before CSRF: it would parse the body first
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",  # the sessions a user may list and end
    "web.accounts.middleware.BackOfficeTwoFactorMiddleware",  # back-office roles: TOTP set up and used first
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "gis_core.limits.timeouts.PublicStatementTimeoutMiddleware",
    "axes.middleware.AxesMiddleware",  # last (django-axes): a locked-out sign-in's answer
]
# django-axes first: it refuses a locked-out account before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",  # sign-in by e-mail address as well as by username
]

# Accounts (django-allauth, web.accounts): sign-up by e-mail, verified before the first sign-in; the adapter sends
# its e-mails through the notification outbox and creates the profile and role; back-office roles need TOTP.
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
ACCOUNT_LOGOUT_REDIRECT_URL = "web:login"
ACCOUNT_ADAPTER = "web.accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {"signup": "web.accounts.forms.SignupForm", "login": "web.accounts.forms.SignInForm"}
ACCOUNT_LOGIN_METHODS = {"email", "username"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False  # the link opens a page with a button: mail scanners do not verify
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = env_int("ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS", 3)
ACCOUNT_CHANGE_EMAIL = True  # one address at a time; the new one verified before it replaces the old one
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_SESSION_REMEMBER = None  # the user chooses ("remember me")
ACCOUNT_USER_DISPLAY = "web.accounts.adapter.user_display"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "Urbaplan · "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if PRODUCTION else "http"
# Failed sign-ins are counted by django-axes (below) and throttled by THROTTLE_PATHS: allauth's own counter is off.
ACCOUNT_RATE_LIMITS = {"login_failed": False}
ACCOUNT_PHONE_CHANGE_CODE_TTL_SECONDS = env_int("ACCOUNT_PHONE_CHANGE_CODE_TTL_SECONDS", 10 * 60)
ACCOUNT_PHONE_CHANGE_MAX_ATTEMPTS = env_int("ACCOUNT_PHONE_CHANGE_MAX_ATTEMPTS", 5)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
# Back-office roles (desk, commission, signers, administrators) set TOTP up and use it before any back-office page
# (web.accounts.middleware); tests turn it off except where they test it. Production refuses it off.
MFA_REQUIRED_FOR_BACK_OFFICE = env_bool("MFA_REQUIRED_FOR_BACK_OFFICE", True)
MFA_TOTP_ISSUER = env_str("MFA_TOTP_ISSUER", "Urbaplan")
MFA_ADAPTER = "web.accounts.mfa_adapter.MFAAdapter"
USERSESSIONS_TRACK_ACTIVITY = False  # sessions are recorded at sign-in; no write per request

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"
# WSGI wrappers around Django (config.wsgi), innermost first: cached tiles are answered before Django.
WSGI_WRAPPERS = ["tiles.wsgi.cached_tiles"]

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
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", "postgis://postgres@127.0.0.1:5432/urbaplan"),
        engine="django.contrib.gis.db.backends.postgis",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
    )
}
# Each parallel test run (a developer, a helper, CI) can use its own test database.
DATABASES["default"]["TEST"] = {"NAME": env_str("TEST_DATABASE_NAME", "") or None}
# Parameters bound by the server, and a statement run 5 times on a connection is prepared (planned once): the parcel
# look-ups run the same few SQL statements over and over. The whole suite passes with it (checked against without).
# No JIT: the planner's cost of a bbox page or a look-up over a million parcels passes `jit_above_cost`, and
# compiling then costs ~250 ms for a query that runs in ~20 ms (OGC API Features served 5 bbox pages a second with
# JIT, bench/README.md). Short queries only here.
NO_JIT = "-c jit=off"
DATABASES["default"]["OPTIONS"] = {
    **DATABASES["default"].get("OPTIONS", {}),
    "server_side_binding": True,
    "prepare_threshold": 5,
}
DATABASES["default"]["OPTIONS"]["options"] = f"{DATABASES['default']['OPTIONS'].get('options', '')} {NO_JIT}".strip()
# The public feeds (OGC API Features, tiles, WMS) read the `geoportal` views through this read-only alias: the same
# server and database as default, as the `geoportal_reader` role (or GEOPORTAL_DATABASE_URL, e.g. a replica).
# Under tests it is a test MIRROR of default: Django points it at default's test database (NAME only, it keeps the
# reader role), never creates, migrates or flushes it. It sees committed rows only: tests that read through it use
# `@pytest.mark.django_db(transaction=True, databases=["default", "geoportal"])`.
DATABASES["geoportal"] = dj_database_url.parse(
    env_str("GEOPORTAL_DATABASE_URL", "") or env_str("DATABASE_URL", "postgis://postgres@127.0.0.1:5432/urbaplan"),
    engine="django.contrib.gis.db.backends.postgis",
    conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
)
if not env_str("GEOPORTAL_DATABASE_URL", ""):
    DATABASES["geoportal"]["USER"] = env_str("GEOPORTAL_DATABASE_USER", "geoportal_reader")
    DATABASES["geoportal"]["PASSWORD"] = env_str("GEOPORTAL_DATABASE_PASSWORD", "")
DATABASES["geoportal"]["OPTIONS"] = {
    "server_side_binding": True,  # real bound parameters, never interpolated
    # as default: the public look-ups (parcels API, pre-check) run a few statements over and over; without it they
    # are planned on every call, ~2x slower than on default (bench/profile_lookups.py, 200k parcels)
    "prepare_threshold": 5,
    # a public request never holds the database longer than this (a costly filter fails instead)
    "options": f"-c statement_timeout={env_int('GEOPORTAL_STATEMENT_TIMEOUT_MS', 15000)} {NO_JIT}",
}
DATABASES["geoportal"]["TEST"] = {"MIRROR": "default"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("ar", _("Arabic")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Africa/Casablanca"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
WHITENOISE_USE_FINDERS = not PRODUCTION  # development: served from the apps' folders, no collectstatic needed
MEDIA_ROOT = BASE_DIR / env_str("MEDIA_DIR", "var/media")

# Documents (gis_core.documents): immutable uploads, on the filesystem by default, S3-compatible as an option.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Production serves `collectstatic`'s hashed, pre-compressed copies; development reads the apps' folders.
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
    "documents": documents_storage_config(MEDIA_ROOT),
}
# Uploads past this size go to a temporary file, never into memory (keep FILE_UPLOAD_TEMP_DIR off tmpfs).
FILE_UPLOAD_MAX_MEMORY_SIZE = env_int("FILE_UPLOAD_MAX_MEMORY_SIZE", 2_621_440)
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 2_621_440)  # non-file fields only
FILE_UPLOAD_TEMP_DIR = env_str("FILE_UPLOAD_TEMP_DIR", "") or None
FILE_UPLOAD_PERMISSIONS = 0o640
DOCUMENTS_MAX_UPLOAD_BYTES = env_int("DOCUMENTS_MAX_UPLOAD_BYTES", 250 * 1024 * 1024)  # one document
DATA_UPLOAD_MAX_NUMBER_FILES = env_int("UPLOAD_MAX_FILES_PER_REQUEST", 10)  # more: 400 before they are read
# A file's documents (every version counts): beyond these, an upload is refused (409, document_quota_exceeded).
DOSSIER_MAX_DOCUMENT_VERSIONS = env_int("DOSSIER_MAX_DOCUMENT_VERSIONS", 300)
DOSSIER_MAX_DOCUMENT_BYTES = env_int("DOSSIER_MAX_DOCUMENT_BYTES", 4 * 1024 * 1024 * 1024)
FOOTPRINT_MAX_UPLOAD_BYTES = env_int("FOOTPRINT_MAX_UPLOAD_BYTES", 20 * 1024 * 1024)  # a GIS/CAD footprint file
DOCUMENTS_MAX_IMAGE_PIXELS = env_int("DOCUMENTS_MAX_IMAGE_PIXELS", 150_000_000)
DOCUMENTS_DOWNLOAD = env_str("DOCUMENTS_DOWNLOAD", "stream")  # stream | x-accel | redirect
DOCUMENTS_X_ACCEL_PREFIX = env_str("DOCUMENTS_X_ACCEL_PREFIX", "/protected-documents/")
# Backups (gis_core.backups: backup_create / backup_restore): pg_dump and pg_restore of the server's major version.
BACKUP_PG_BIN_DIR = env_str("BACKUP_PG_BIN_DIR", "/usr/lib/postgresql/15/bin")  # else found on PATH

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "gis_core.limits.schema.LimitsAutoSchema",  # with the 429/413/503 answers
    "EXCEPTION_HANDLER": "gis_core.problems.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    # API clients send `Authorization: Token <key>` (POST /api/auth/token/; gis_core.api_tokens: hashed, expiring,
    # revocable); the web pages' JS uses the session cookie, with the CSRF token on unsafe methods. Token first: an
    # anonymous request gets 401, not 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "gis_core.api_tokens.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Closed by default: public views (parcels, pre-check) say so explicitly.
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # The one limiter (gis_core.limits): a view with a `throttle_scope` is throttled at THROTTLE_RATES[scope].
    "DEFAULT_THROTTLE_CLASSES": ["gis_core.limits.drf.ScopedThrottle"],
}
# An API token expires this many days after its creation (fixed, not sliding: the client asks for a new one).
API_TOKEN_TTL_DAYS = env_int("API_TOKEN_TTL_DAYS", 30)
API_TOKEN_MAX_PER_USER = env_int("API_TOKEN_MAX_PER_USER", 50)  # live tokens a user may hold at once
SPECTACULAR_SETTINGS = {
    "TITLE": "Urbaplan API",
    "DESCRIPTION": "Parcels, zoning, overlays and the zoning pre-check of a municipality's planning platform "
    "(public), and its permit files: workflow, opinions, remarks, deadlines, history (token or session).",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a `status` field: name their enums after the model's choices.
    "ENUM_NAME_OVERRIDES": {
        "DossierStatusEnum": "permits.models.DossierStatus",
        "ConsultationStatusEnum": "permits.models.ConsultationStatus",
        "RemarkStatusEnum": "permits.models.RemarkStatus",
        "OpinionEnum": "permits.models.OpinionValue",
        "AnnotationKindEnum": "permits.plans.models.AnnotationKind",
        "AnnotationStatusEnum": "permits.plans.models.AnnotationStatus",
    },
}

REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", REDIS_URL)
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A broker that is down or restarts: the worker waits for it (at start too) and reconnects, for ever; what it
# cannot recover from ends the process, and its supervisor (scripts/worker.sh) starts it again.
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# A broker that accepts connections but answers nothing (hung, overloaded, a half-open connection): enqueuing a task
# after a commit, in a request, gives up after these timeouts and one retry instead of waiting for ever (the task's
# work is kept: deliveries and invalidations stay pending for beat's safety nets). Above the worker's BRPOP (1 s).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": env_int("CELERY_BROKER_CONNECT_TIMEOUT_MS", 500) / 1000,
    "socket_timeout": env_int("CELERY_BROKER_TIMEOUT_MS", 2000) / 1000,
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
# Outboxes (gis_core.outbox: cache invalidations after a publication or an import, OGC extents after an import): a
# failed attempt is tried again after OUTBOX_RETRY_BASE_SECONDS, doubling up to OUTBOX_RETRY_MAX_SECONDS, until it
# succeeds; beat runs the leftovers.
OUTBOX_RETRY_BASE_SECONDS = env_int("OUTBOX_RETRY_BASE_SECONDS", 2)
OUTBOX_RETRY_MAX_SECONDS = env_int("OUTBOX_RETRY_MAX_SECONDS", 60)
OUTBOX_LEFTOVERS_EVERY_SECONDS = env_int("OUTBOX_LEFTOVERS_EVERY_SECONDS", 60)
# Periodic work (run by `celery beat`; `make run` embeds it in the worker with -B).
CELERY_BEAT_SCHEDULE = {
    "notifications-resume-stale": {
        "task": "gis_core.notifications.tasks.delivery_resume_stale",
        "schedule": 300.0,
    },
    "permits-apply-tacit-opinions": {
        "task": "permits.tasks.consultations_apply_tacit_task",
        "schedule": 900.0,
    },
    "permits-file-clock-outcomes": {  # the file's legal clock: reminders, escalations, tacit decisions (idempotent)
        "task": "permits.commissions.tasks.clock_outcomes_task",
        "schedule": 900.0,
    },
    "commissions-generate-sessions": {  # sessions COMMISSIONS_GENERATE_WEEKS ahead (idempotent)
        "task": "permits.commissions.tasks.sessions_generate_task",
        "schedule": 6 * 3600.0,
    },
    "api-tokens-purge-expired": {
        "task": "gis_core.api_tokens.tasks.api_tokens_purge_expired_task",
        "schedule": 24 * 3600.0,
    },
    "commissions-send-due-agendas": {  # agendas of sessions whose booking has closed
        "task": "permits.commissions.tasks.agendas_send_due_task",
        "schedule": 900.0,
    },
    "audit-checkpoint": {  # the audit chain's head sealed in the document store (permits.checkpoints)
        "task": "permits.tasks.audit_checkpoint_task",
        "schedule": crontab(hour=1, minute=30),  # UTC
    },
    "opendata-indicators-refresh": {  # yesterday's indicator snapshots (opendata.indicators), replaced
        "task": "opendata.tasks.indicators_refresh_task",
        "schedule": crontab(hour=2, minute=30),  # UTC
    },
    "audit-verify": {  # the chain and its checkpoints verified; an alert (log + e-mail) on failure
        "task": "permits.tasks.audit_verify_task",
        "schedule": crontab(hour=2, minute=0),  # UTC, after the checkpoint
    },
    "commissions-resume-signatures": {  # signatures asked for whose task was lost (broker outage)
        "task": "permits.commissions.tasks.signature_requests_resume_task",
        "schedule": 300.0,
    },
    "inspections-resume-report-signatures": {  # closed inspection reports whose signature's task was lost
        "task": "permits.inspections.tasks.inspection_reports_resume_task",
        "schedule": 300.0,
    },
    # Cache invalidations after a publication whose retry was lost (gis_core.outbox): the tile and WMTS caches.
    "tiles-invalidations-resume": {
        "task": "tiles.tasks.tile_invalidations_resume",
        "schedule": float(OUTBOX_LEFTOVERS_EVERY_SECONDS),
    },
    "wms-invalidations-resume": {
        "task": "ogc_services.wms.tasks.wms_invalidations_resume",
        "schedule": float(OUTBOX_LEFTOVERS_EVERY_SECONDS),
    },
    # The same after an import: tile and WMTS caches, the OGC API's known extents.
    "tiles-import-invalidations-resume": {
        "task": "tiles.tasks.tile_import_invalidations_resume",
        "schedule": float(OUTBOX_LEFTOVERS_EVERY_SECONDS),
    },
    "wms-import-invalidations-resume": {
        "task": "ogc_services.wms.tasks.wms_import_invalidations_resume",
        "schedule": float(OUTBOX_LEFTOVERS_EVERY_SECONDS),
    },
    "ogc-extent-growths-resume": {
        "task": "ogc_services.tasks.extent_growths_resume",
        "schedule": float(OUTBOX_LEFTOVERS_EVERY_SECONDS),
    },
}

# Notifications (gis_core.notifications): e-mail through Django's SMTP backend, SMS through a provider plugin.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Urbaplan <no-reply@urbaplan.localhost>")
SMS_PROVIDER = env_str("SMS_PROVIDER", "gis_core.notifications.channels.HttpGatewaySmsProvider")
SMS_GATEWAY_URL = env_str("SMS_GATEWAY_URL", "")
SMS_GATEWAY_TOKEN = env_str("SMS_GATEWAY_TOKEN", "")
SMS_GATEWAY_TIMEOUT = float(env_str("SMS_GATEWAY_TIMEOUT", "10"))
SMS_SENDER = env_str("SMS_SENDER", "URBAPLAN")
NOTIFICATIONS_MAX_ATTEMPTS = env_int("NOTIFICATIONS_MAX_ATTEMPTS", 5)
NOTIFICATIONS_RETRY_BASE_SECONDS = float(env_str("NOTIFICATIONS_RETRY_BASE_SECONDS", "30"))
NOTIFICATIONS_RETRY_MAX_SECONDS = float(env_str("NOTIFICATIONS_RETRY_MAX_SECONDS", "3600"))

# Commissions (permits.commissions): how far ahead sessions are generated, the font of the output PDFs.
COMMISSIONS_GENERATE_WEEKS = env_int("COMMISSIONS_GENERATE_WEEKS", 8)
COMMISSIONS_PDF_FONT_FAMILY = env_str("COMMISSIONS_PDF_FONT_FAMILY", "DejaVu Sans")  # needs Arabic glyphs

# Audit trail (permits.audit, permits.checkpoints): the account whose signing credentials seal the daily checkpoints
# (an HSM key or the development PKI's `signing_dev_pki --users audit-seal`), how many checkpoints verify_audit
# checks (0: all), how old an event may be without a checkpoint before the daily verification fails, and who is
# alerted when a checkpoint or a verification fails (empty: ADMINS).
AUDIT_CHECKPOINT_SIGNER = env_str("AUDIT_CHECKPOINT_SIGNER", "audit-seal")
AUDIT_CHECKPOINT_VERIFY_COUNT = env_int("AUDIT_CHECKPOINT_VERIFY_COUNT", 7)
AUDIT_CHECKPOINT_MAX_UNANCHORED_HOURS = float(env_str("AUDIT_CHECKPOINT_MAX_UNANCHORED_HOURS", "24"))
AUDIT_ALERT_EMAILS = env_list("AUDIT_ALERT_EMAILS", [])

# The signed application (permits.application_form): the account whose signing credentials seal the applicants'
# application forms (an HSM key or the development PKI's `signing_dev_pki --users application-seal`), and the
# one-time codes that confirm the applicant's consent: lifetime, tries per code, codes per file and hour.
APPLICATION_SEAL_SIGNER = env_str("APPLICATION_SEAL_SIGNER", "application-seal")
APPLICATION_CODE_TTL_SECONDS = env_int("APPLICATION_CODE_TTL_SECONDS", 600)
APPLICATION_CODE_MAX_ATTEMPTS = env_int("APPLICATION_CODE_MAX_ATTEMPTS", 5)
APPLICATION_CODE_MAX_PER_HOUR = env_int("APPLICATION_CODE_MAX_PER_HOUR", 5)

# Electronic signatures (gis_core.signing): pyHanko PAdES, a development PKI under SIGNING_PKI_DIR
# (`manage.py signing_dev_pki`), RFC 3161 timestamps from SIGNING_TSA_URL (production) or the local TSA (/tsa/).
SIGNING_PKI_DIR = BASE_DIR / env_str("SIGNING_PKI_DIR", "var/pki")
SIGNING_SIGNER_BACKEND = env_str("SIGNING_SIGNER_BACKEND", "gis_core.signing.signers.Pkcs12Backend")
SIGNING_TSA_URL = env_str("SIGNING_TSA_URL", "")  # a real TSA in production; empty: the local TSA if allowed
SIGNING_TSA_LOCAL = env_bool("SIGNING_TSA_LOCAL", not PRODUCTION)  # local TSA in-process and at /tsa/ (dev, tests)
SIGNING_TSA_TIMEOUT = env_int("SIGNING_TSA_TIMEOUT", 10)
SIGNING_TRUST_ROOTS = [BASE_DIR / p for p in env_list("SIGNING_TRUST_ROOTS", [str(SIGNING_PKI_DIR / "root-ca.pem")])]
SIGNING_INTERMEDIATES = [
    BASE_DIR / p for p in env_list("SIGNING_INTERMEDIATES", [str(SIGNING_PKI_DIR / "intermediate-ca.pem")])
]
SIGNING_EMBED_VALIDATION_INFO = env_bool("SIGNING_EMBED_VALIDATION_INFO", True)  # PAdES B-LT (else B-T)
SIGNING_PUBLIC_BASE_URL = env_str("SIGNING_PUBLIC_BASE_URL", "http://localhost:8000")  # in the QR codes
SIGNING_STAMP_FONT = env_str("SIGNING_STAMP_FONT", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
SIGNING_VERIFY_MAX_UPLOAD_BYTES = env_int("SIGNING_VERIFY_MAX_UPLOAD_BYTES", 50 * 1024 * 1024)
# /verify/ keeps each verdict in Redis (by the PDF's SHA-256 and the trust roots' fingerprint) this long; 0: never.
SIGNING_VERIFY_CACHE_SECONDS = env_int("SIGNING_VERIFY_CACHE_SECONDS", 24 * 3600)
SIGNING_VERIFY_CACHE_URL = env_str("SIGNING_VERIFY_CACHE_URL", REDIS_URL)
SIGNING_PKCS11_MODULE = env_str("SIGNING_PKCS11_MODULE", "")  # e.g. /usr/lib/softhsm/libsofthsm2.so
SIGNING_PKCS11_TOKEN_LABEL = env_str("SIGNING_PKCS11_TOKEN_LABEL", "")
SIGNING_PKCS11_PIN = env_str("SIGNING_PKCS11_PIN", "")
SIGNING_PKCS11_KEY_LABEL = env_str("SIGNING_PKCS11_KEY_LABEL", "{username}")
# The account whose certificate seals what the platform itself issues (the attestation of a tacit authorisation):
# never a person, no password; its key is `users/<name>.p12` in development, the HSM key of that label in production.
SIGNING_PLATFORM_SEAL_USERNAME = env_str("SIGNING_PLATFORM_SEAL_USERNAME", "platform-seal")
SIGNING_REMOTE_SERVICE = env_str("SIGNING_REMOTE_SERVICE", "")  # dotted path of a RemoteSignatureService

# Spatial kernel: storage SRID and import batch size.
GIS_STORAGE_SRID = 4326
GIS_IMPORT_BATCH_SIZE = env_int("GIS_IMPORT_BATCH_SIZE", 20000)
# A first load of a commune at least this large COPYs straight into the table and rebuilds its indexes.
GIS_IMPORT_BULK_MIN_FEATURES = env_int("GIS_IMPORT_BULK_MIN_FEATURES", 100_000)
GIS_IMPORT_WORKERS = env_int("GIS_IMPORT_WORKERS", 2)  # threads preparing batches while the previous one is copied
SHARED_DATA_DIR = BASE_DIR.parent / "shared" / "data"

# OGC API Features (ogc_services): pygeoapi's config and OpenAPI document are generated from the geoportal views
# and written here (pygeoapi's own tools read PYGEOAPI_CONFIG / PYGEOAPI_OPENAPI); regenerated when they change.
OGC_CONFIG_DIR = BASE_DIR / env_str("OGC_CONFIG_DIR", "var/ogc")
OGC_CONFIG_REFRESH_SECONDS = env_int("OGC_CONFIG_REFRESH_SECONDS", 600)
OGC_BASE_URL = env_str("OGC_BASE_URL", "")  # public URL of /ogc when behind a proxy; else taken from each request
OGC_MAX_LIMIT = env_int("OGC_MAX_LIMIT", 10000)
OGC_EXTENT_TIMEOUT_MS = env_int("OGC_EXTENT_TIMEOUT_MS", 1500)  # slower extents are computed in the background
OGC_PYGEOAPI_LOG_LEVEL = env_str("OGC_PYGEOAPI_LOG_LEVEL", "CRITICAL")
PYGEOAPI_CONFIG_PATH = OGC_CONFIG_DIR / "pygeoapi-config.yml"
PYGEOAPI_OPENAPI_PATH = OGC_CONFIG_DIR / "pygeoapi-openapi.yml"

# WMS/WMTS (ogc_services.wms): MapProxy + MapServer; mapfile, MapServer config, MapProxy YAML, tile cache and
# prepared rasters are generated under WMS_DIR (regenerated when their inputs change; `manage.py wms_config`).
WMS_DIR = BASE_DIR / env_str("WMS_DIR", "var/wms")
WMS_CACHE_DIR = BASE_DIR / env_str("WMS_CACHE_DIR", "var/wms/cache")
WMS_RASTER_DIR = BASE_DIR / env_str("WMS_RASTER_DIR", "var/wms/rasters")
WMS_MAPSERV_BINARY = env_str("WMS_MAPSERV_BINARY", "/usr/lib/cgi-bin/mapserv")
WMS_DATABASE_ALIAS = "geoportal"
WMS_TITLE = env_str("WMS_TITLE", "Urbaplan geoportal")
WMS_DEMO = env_bool("WMS_DEMO", not PRODUCTION)  # MapProxy's demo pages at /ows/demo/ (development only)
# A cached WMTS/WMS tile older than this is rendered again when asked for (MapProxy's `refresh_before`), so an
# invalidation that was missed cannot show a stale map for longer; 0: tiles never expire.
WMS_CACHE_MAX_AGE_SECONDS = env_int("WMS_CACHE_MAX_AGE_SECONDS", 24 * 3600)
# WFS at /ows (MapServer): the most features one GetFeature answers (a client pages with STARTINDEX/COUNT).
WFS_MAX_FEATURES = env_int("WFS_MAX_FEATURES", 10_000)

# Vector tiles (tiles): MVT from the geoportal views, cached in Redis and invalidated on commit of a publication.
TILES_CACHE_URL = env_url_or_off("TILES_CACHE_URL", REDIS_URL)  # `off`: no tile cache (empty: REDIS_URL)
TILES_CACHE_SECONDS = env_int("TILES_CACHE_SECONDS", 7 * 24 * 3600)
# Redis down: tiles are rendered from PostgreSQL (fail open). A client gives up after these timeouts, and after a
# failure the cache is left alone for TILES_CACHE_RETRY_AFTER_SECONDS (one error logged per outage and process).
TILES_CACHE_CONNECT_TIMEOUT_MS = env_int("TILES_CACHE_CONNECT_TIMEOUT_MS", 250)
TILES_CACHE_TIMEOUT_MS = env_int("TILES_CACHE_TIMEOUT_MS", 500)
TILES_CACHE_RETRY_AFTER_SECONDS = env_int("TILES_CACHE_RETRY_AFTER_SECONDS", 5)
TILES_EXTENT = env_int("TILES_EXTENT", 4096)  # MVT coordinates per tile side
TILES_BUFFER = env_int("TILES_BUFFER", 64)  # around the tile, in tile coordinates
TILES_GZIP_LEVEL = env_int("TILES_GZIP_LEVEL", 6)
TILES_READER_ALIAS = "geoportal"
TILES_READER_USER = env_str("TILES_READER_USER", "geoportal_reader")  # the role a connection of our own logs in as

# Open data (opendata): the DCAT-AP catalogue's publisher and contact point (the municipality publishing the portal),
# its name in each language of the portal, its web site and a functional e-mail address (never a person's).
OPENDATA_PUBLISHER_NAME_FR = env_str("OPENDATA_PUBLISHER_NAME_FR", "Commune de démonstration")
OPENDATA_PUBLISHER_NAME_AR = env_str("OPENDATA_PUBLISHER_NAME_AR", "الجماعة التجريبية")
OPENDATA_PUBLISHER_NAME_EN = env_str("OPENDATA_PUBLISHER_NAME_EN", "Demonstration municipality")
OPENDATA_PUBLISHER_URL = env_str("OPENDATA_PUBLISHER_URL", "http://localhost:8000/")  # its home page
OPENDATA_PUBLISHER_EMAIL = env_str("OPENDATA_PUBLISHER_EMAIL", DEVELOPMENT_PUBLISHER_EMAIL)  # the contact point
# Public origin of the portal (scheme://host) in the catalogue's links when behind a proxy; empty: each request's.
OPENDATA_BASE_URL = env_str("OPENDATA_BASE_URL", "")

# Limits against abuse (gis_core.limits). The client address: REMOTE_ADDR, or with TRUSTED_PROXY_COUNT reverse
# proxies in front (each appending to X-Forwarded-For), the Nth address from the right of X-Forwarded-For.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
# Throttles: GCRA in Redis, per client address (IPv6: per /64), shared by all workers; Redis down: allowed (logged
# once). Rates are "N/period" (second, minute, hour, day), generous: a person never meets them.
THROTTLE_ENABLED = env_bool("THROTTLE_ENABLED", True)
THROTTLE_REDIS_URL = env_str("THROTTLE_REDIS_URL", REDIS_URL)
THROTTLE_REDIS_TIMEOUT = float(env_str("THROTTLE_REDIS_TIMEOUT", "0.25"))  # seconds
THROTTLE_KEY_PREFIX = env_str("THROTTLE_KEY_PREFIX", "throttle")
THROTTLE_RATES = {
    "sign-in": env_str("THROTTLE_RATE_SIGN_IN", "30/minute"),  # web and admin login, POST /api/auth/token/
    "public-api": env_str("THROTTLE_RATE_PUBLIC_API", "600/minute"),  # /api/parcels/..., constraints, pre-check
    "ogc": env_str("THROTTLE_RATE_OGC", "1200/minute"),  # OGC API Features
    "ows": env_str("THROTTLE_RATE_OWS", "3000/minute"),  # WMS/WMTS (a map view asks for tens of tiles)
    "tiles": env_str("THROTTLE_RATE_TILES", "3000/minute"),  # vector tiles rendered by PostGIS (cache misses only)
    "verify": env_str("THROTTLE_RATE_VERIFY", "120/minute"),  # /verify/<token>/
    "datasets": env_str("THROTTLE_RATE_DATASETS", "60/minute"),  # /opendata/datasets/ (whole-dataset downloads)
    # the signed application's one-time codes, asked and typed (besides the codes' own limits per file)
    "one-time-code": env_str("THROTTLE_RATE_ONE_TIME_CODE", "20/minute"),
    # plan review's renders, a second or two of CPU each: the annotated copy, the comparison of two versions
    "plan-render": env_str("THROTTLE_RATE_PLAN_RENDER", "30/minute"),
}
# Plain views and mounted applications throttled by path (DRF views name a `throttle_scope`; tiles: in the view).
THROTTLE_PATHS = [  # (path prefix, methods (empty: all), scope)
    ("/accounts/login/", ("POST",), "sign-in"),
    ("/accounts/signup/", ("POST",), "sign-in"),
    ("/accounts/password/reset/", ("POST",), "sign-in"),
    ("/accounts/2fa/authenticate/", ("POST",), "sign-in"),
    ("/accounts/phone/", ("POST",), "sign-in"),
    ("/admin/login/", ("POST",), "sign-in"),
    ("/ogc", (), "ogc"),
    ("/ows", (), "ows"),
    ("/verify/", (), "verify"),
    ("/opendata/datasets/", (), "datasets"),
    ("/opendata/catalog", (), "datasets"),  # the DCAT catalogue (built from the data at each request)
]
# Request bodies: an upload endpoint takes one file up to the named setting (plus DATA_UPLOAD_MAX_MEMORY_SIZE of
# other fields), any other request REQUEST_MAX_BODY_BYTES; refused with 413 before the body is read.
REQUEST_MAX_BODY_BYTES = env_int("REQUEST_MAX_BODY_BYTES", DATA_UPLOAD_MAX_MEMORY_SIZE)
UPLOAD_PATH_LIMITS = [  # (path regex, setting holding the largest file)
    (r"^/api/dossiers/\d+/documents/$", "DOCUMENTS_MAX_UPLOAD_BYTES"),
    (r"^/files/\d+/documents/$", "DOCUMENTS_MAX_UPLOAD_BYTES"),
    (r"^/files/\d+/remarks/\d+/reply/$", "DOCUMENTS_MAX_UPLOAD_BYTES"),
    (r"^/api/dossiers/\d+/footprint/$", "FOOTPRINT_MAX_UPLOAD_BYTES"),
    (r"^/files/\d+/edit/site/$", "FOOTPRINT_MAX_UPLOAD_BYTES"),
    (r"^/verify/[^/]+/$", "SIGNING_VERIFY_MAX_UPLOAD_BYTES"),
]
# Failed sign-ins (django-axes, database handler): SIGNIN_FAILURE_LIMIT failures of one username from one address
# lock it there for SIGNIN_LOCKOUT_MINUTES, the right password included (SIGNIN_LOCKOUT_BY=username: from anywhere).
AXES_FAILURE_LIMIT = env_int("SIGNIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("SIGNIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = (
    ["username"] if env_str("SIGNIN_LOCKOUT_BY", "username_ip") == "username" else [["username", "ip_address"]]
)
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # retrying while locked does not lengthen the lock
AXES_CLIENT_IP_CALLABLE = "gis_core.limits.clients.client_address"
AXES_LOCKOUT_CALLABLE = "gis_core.limits.lockout.lockout_response"
AXES_USERNAME_CALLABLE = "gis_core.limits.lockout.sign_in_name"  # allauth's "login" field, admin's "username"

SILENCED_SYSTEM_CHECKS = ["gis.W001"]  # "upgrade to GDAL 3.9": Debian 12 ships 3.6, which works.

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

if PRODUCTION and (refusals := production_refusals(globals())):
    raise ImproperlyConfigured("production mode refuses to start:\n- " + "\n- ".join(refusals))
