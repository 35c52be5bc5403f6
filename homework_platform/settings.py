"""Bridgework settings. Every knob comes from an environment variable (see README)."""

from datetime import timedelta
from pathlib import Path

from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

from core.env import (
    database_from_url,
    email_from_url,
    env_bool,
    env_int,
    env_list,
    env_str,
    env_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("BRIDGEWORK_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DJANGO_DEBUG", False)

_DEV_SECRET = "insecure-development-key-never-use-in-production"  # noqa: S105
SECRET_KEY = env_str("SECRET_KEY", _DEV_SECRET if DEBUG else "")
# The key of the pseudonym an erased client's audit rows keep (an HMAC of the client's id): the
# same deployment can tell that an id it is shown was erased; nobody can go from the pseudonym
# back to the id. Defaults to SECRET_KEY; set it apart so rotating SECRET_KEY keeps it stable.
PRIVACY_PSEUDONYM_KEY = env_str("PRIVACY_PSEUDONYM_KEY", SECRET_KEY)
if not DEBUG and (SECRET_KEY == _DEV_SECRET or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured("SECRET_KEY must be a random string of at least 50 characters.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_url("SITE_URL", "http://localhost:8000", schemes={"http", "https"}).rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served from our own static files (CSP: 'self')
    "csp",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "core",
    "homework_platform",
    "accounts",
    "clients",
    "worksheets",
    "library",
    "assignments",
    "pathways",
    "reminders",
    "portal",
    "conversations",
    "reports",
    "analytics",
    "privacy",
    "caseload",
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
    "csp.middleware.CSPMiddleware",
    "core.middleware.PermissionsPolicyMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "core.tenancy.TenantMiddleware",
    "accounts.middleware.ReadAuditMiddleware",
    "accounts.middleware.MfaRequiredMiddleware",
    "privacy.middleware.ConsentGateMiddleware",
    "core.middleware.NoStoreForSignedInMiddleware",
]

FORM_RENDERER = "core.forms.FormRenderer"
ROOT_URLCONF = "homework_platform.urls"
WSGI_APPLICATION = "homework_platform.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.tenancy.tenant_context",
            ],
        },
    },
]

DATABASES = {"default": database_from_url("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
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

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
# Clients' answer files (voice memos, photos): only ever read by the access-checked view in
# assignments (see README, "Voice memo and photo answers"). Under MEDIA_ROOT by default so
# they sit on the shared media volume; nothing serves MEDIA_ROOT or MEDIA_URL directly.
PRIVATE_MEDIA_ROOT = Path(env_str("PRIVATE_MEDIA_ROOT", str(MEDIA_ROOT / "answers")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# --- Sessions and security -------------------------------------------------------------
# Idle timeout: the session expires after this many seconds without a request.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_TIMEOUT", 30 * 60, minimum=60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy: scripts, styles, fonts and connections from this site only, with no
# inline script at all. Inline style *attributes* stay allowed (style-src-attr): they cannot run
# script, and several templates and the Swagger UI set them; <style> elements are not allowed.
# Images may be data: URIs (Swagger UI's icons, generated charts).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "media-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}
# Powerful browser features this product never uses are switched off for every page.
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), interest-cohort=()"
)
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
SILENCED_SYSTEM_CHECKS = [] if env_bool("SECURE_HSTS_PRELOAD", False) else ["security.W021"]

# --- Email ---------------------------------------------------------------------------------
globals().update(email_from_url("EMAIL_URL", "console://"))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Bridgework <no-reply@bridgework.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Accounts (django-allauth) ----------------------------------------------------------
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = env_str(
    "ACCOUNT_EMAIL_VERIFICATION", "optional" if DEBUG else "mandatory"
)
if ACCOUNT_EMAIL_VERIFICATION not in {"mandatory", "optional", "none"}:
    raise ImproperlyConfigured("ACCOUNT_EMAIL_VERIFICATION must be mandatory, optional or none.")
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.PracticeSignupForm"
ACCOUNT_ADAPTER = "portal.adapter.AccountAdapter"
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_PREVENT_ENUMERATION = True
# allauth counts these in the cache (below) per client IP address (REMOTE_ADDR: no proxy is
# trusted to set X-Forwarded-For, which anyone can write) and per "key": the email typed, or the
# user for two-factor codes. Failed logins: five per account in 15 minutes (password or
# authenticator code), and 10 a minute / 50 an hour from one address across accounts. Keys not
# named here keep allauth's defaults (password changes, reauthentication...). A login past the
# failure limit is refused on the form ("Too many failed login attempts"), even with the right
# password; past the "login" limit (every try) and the others, allauth answers 429.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,50/h/ip,5/15m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/3m/key",
}
ACCOUNT_EMAIL_SUBJECT_PREFIX = "Bridgework: "
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Bridgework"

# How long an emailed client login link and its fallback code stay valid.
CLIENT_LOGIN_TTL = timedelta(minutes=env_int("CLIENT_LOGIN_TTL_MINUTES", 15, minimum=1))
# A first invitation is opened when the client gets round to it, often days later, so it has
# its own lifetime; it is still single use and still needs the button press.
CLIENT_INVITATION_TTL = timedelta(days=env_int("CLIENT_INVITATION_TTL_DAYS", 7, minimum=1))
CLIENT_LOGIN_MAX_CODE_ATTEMPTS = 5
# Client sign-in limits, counted in the cache per address typed ("email") and per client IP
# address ("ip"), as (attempts, seconds) in a fixed window from the first attempt. "request" is
# asking for a sign-in email, "code" is typing a code. Each code already allows five guesses;
# these also cap guesses across new codes for one address, and across addresses from one place.
CLIENT_SIGN_IN_LIMITS = {
    "request": {"email": (5, 3600), "ip": (20, 3600)},
    "code": {"email": (8, 15 * 60), "ip": (30, 3600)},
}
INVITATION_TTL = timedelta(days=7)

# --- Celery ----------------------------------------------------------------------------------
# Without REDIS_URL the demo uses kombu's filesystem transport: no server needed, and web,
# worker and beat (separate processes) still share one queue.
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    env_url("REDIS_URL", REDIS_URL, schemes={"redis", "rediss"})
CELERY_BROKER_URL = REDIS_URL or "filesystem://localhost/"
# Sign-in limits (client portal, allauth) and API throttles count in the cache: with REDIS_URL
# every gunicorn worker shares one count; without it (demo) each process counts on its own.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}
CACHES["default"]["KEY_PREFIX"] = "bridgework"
CELERY_BROKER_TRANSPORT_OPTIONS = (
    # "priority": a worker asks the queues in the order of CELERY_TASK_QUEUES, every time.
    {"visibility_timeout": 3600, "queue_order_strategy": "priority"}
    if REDIS_URL
    else {
        "data_folder_in": str(VAR_DIR / "broker"),
        "data_folder_out": str(VAR_DIR / "broker"),
        "processed_folder": str(VAR_DIR / "broker-processed"),
        "control_folder": str(VAR_DIR / "broker-control"),
        "store_processed": False,
    }
)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A client waiting for a sign-in code must not wait behind a reminder peak (the load test saw
# codes take a minute behind 2,000 reminders): sign-in and invitation emails have their own
# queue, which every worker reads first. A worker started without -Q reads every queue below.
CELERY_TASK_QUEUES = (Queue("interactive"), Queue("celery"))
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_ROUTES = {
    "clients.send_login_email": {"queue": "interactive"},
    "clients.send_invitation_email": {"queue": "interactive"},
}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE: dict = {}
# Pathways: every minute, queue the release of the steps that are due (pathways.tasks).
CELERY_BEAT_SCHEDULE["pathways-release-due-steps"] = {
    "task": "pathways.sweep_due_steps",
    "schedule": 60.0,
}
# Reminders: every minute, enqueue due reminders and recover lost claims; hourly, plan each
# therapist's next daily digest (reminders.tasks).
CELERY_BEAT_SCHEDULE["reminders-sweep"] = {"task": "reminders.sweep", "schedule": 60.0}
CELERY_BEAT_SCHEDULE["reminders-plan-digests"] = {
    "task": "reminders.plan_digests",
    "schedule": 3600.0,
}
# Assignments: every ten minutes, record overdue occurrences past their grace as missed.
CELERY_BEAT_SCHEDULE["assignments-mark-missed"] = {
    "task": "assignments.mark_missed",
    "schedule": 600.0,
}
# Privacy: daily, erase the clients discharged longer ago than their practice keeps records.
CELERY_BEAT_SCHEDULE["privacy-apply-retention"] = {
    "task": "privacy.apply_retention",
    "schedule": 86400.0,
}
# Reports: hourly, delete the stored zips of data exports whose link expired unused.
CELERY_BEAT_SCHEDULE["reports-purge-expired-exports"] = {
    "task": "reports.purge_expired_exports",
    "schedule": 3600.0,
}

# --- REST API --------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.api.Pagination",
    "DEFAULT_PARSER_CLASSES": [
        "core.api.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {"anon": "60/min", "user": "600/min"},
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Bridgework API",
    "DESCRIPTION": "Therapy homework: clients, activities, assignments, pathways, reminders.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        # Every endpoint's error answers (401, 403, 429; 400, 404, 413, 415 where they apply).
        "core.schema.document_errors",
    ],
}
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] = {
    # Assignments' "visibility" and pathways' "response_visibility" are one choice set.
    "VisibilityEnum": "assignments.models.Visibility",
    # Several apps have a "status": name each after what it is.
    "AssignmentStatusEnum": "assignments.models.AssignmentStatus",
    "OccurrenceStatusEnum": "assignments.models.OccurrenceStatus",
    "LibraryStatusEnum": "library.models.PublicationStatus",
    "AgreementStatusEnum": "conversations.models.AgreementStatus",
    # Several apps have a "kind": the consent document's is named for what it is.
    "ConsentKindEnum": "privacy.models.ConsentKind",
    "ActivityKindEnum": ["worksheet", "measure", "practice log", "reading"],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "weasyprint.progress": {"level": "WARNING"},  # one INFO line per rendering step
    },
}
