"""Settings for the MAPPA case management service.

Everything that differs between a developer's machine and production comes from environment
variables (listed in .env.example). The defaults are safe: with nothing set, DEBUG is off and the
service refuses to start without a SECRET_KEY; `make run` sets DEBUG=true for local use.
"""

import datetime
from pathlib import Path
from typing import Any

import dj_database_url
import django_stubs_ext
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from mappa.env import env_bool, env_int, env_list, env_optional, env_str

# Lets the admin and forms use the generic type parameters that django-stubs declares.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_optional("SECRET_KEY") or ""
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY is required when DEBUG is off.")
    SECRET_KEY = "development-only-key-never-used-with-debug-off"  # noqa: S105  # nosec B105

# Earlier keys, still accepted while SECRET_KEY is being rotated (sessions, signed values, and the
# encrypted refresh tokens of agencies' sign-in), comma-separated; drop them once the rotation is done.
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS", [])

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# How many reverse proxies in front of the app append to X-Forwarded-For. Zero (the default)
# means the header is ignored and the client address is the socket's peer.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "crispy_forms",
    "crispy_forms_gds",
    "guardian",
    "auditlog",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "ninja",
    # The service, from the core up: each may import only those listed before it (see
    # CONTRIBUTING.md and the import contracts in pyproject.toml).
    "mappa",
    "mappa.audit",
    "agencies",
    "federation",
    "notifications",
    "cases",
    "referrals",
    "meetings",
    "transfers",
    "reviews",
    "documents",
    "reporting",
    "reminders",
    "auditing",
    "governance",
    "partners",
]
# Demo data, benchmarks and the load test: not part of the service, and not installed with it
# unless asked for (as development does by default).
DEVTOOLS = env_bool("DEVTOOLS", DEBUG)
if DEVTOOLS:
    INSTALLED_APPS.append("devtools")

MIDDLEWARE = [
    "mappa.request_id.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "mappa.sessions.SessionLimitsMiddleware",
    "mappa.second_factor.SecondFactorRequiredMiddleware",
    "mappa.authorization.UndeclaredViewMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "mappa.sessions.NoStoreMiddleware",
    "mappa.audit.middleware.AuditContextMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "mappa.urls"
WSGI_APPLICATION = "mappa.wsgi.application"

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
                "mappa.context_processors.service",
                "agencies.context_processors.navigation",
                "notifications.context_processors.unread",
            ],
        },
    },
]

# Database: PostgreSQL in production and CI; a SQLite file under var/ when DATABASE_URL is absent.
DATABASE_URL = env_optional("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60), conn_health_checks=True
        )
    }
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # PostgreSQL's JIT compiler spends far longer compiling the statistics' correlated subqueries
        # (about a second) than running them (a quarter of one); short page queries never gain from it.
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
        # A database that does not answer is a 503 page within seconds (mappa.errors), not a hang.
        DATABASES["default"]["OPTIONS"]["connect_timeout"] = env_int("DATABASE_CONNECT_TIMEOUT_SECONDS", 5, minimum=1)
else:
    VAR_DIR.mkdir(exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "mappa.sqlite3"),
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis is the Celery broker and the cache. Without it tasks run in-process, at once.
REDIS_URL = env_optional("REDIS_URL")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = REDIS_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "Europe/London"
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# Fail fast when the broker is down: the notification stays in the outbox and the sweep sends it later.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5, "interval_max": 1}
CELERY_BEAT_SCHEDULE = {
    "daily-reminders": {
        "task": "reminders.tasks.send_reminders",
        "schedule": crontab(hour=6, minute=30),
    },
    "verify-audit-chain": {
        "task": "auditing.tasks.verify_audit_chain",
        "schedule": crontab(hour=2, minute=15),
    },
    "verify-stored-documents": {
        "task": "documents.tasks.verify_stored_documents",
        "schedule": crontab(hour=2, minute=45),
    },
    "sweep-undelivered-notifications": {
        "task": "notifications.tasks.sweep_notifications",
        "schedule": float(env_int("NOTIFICATION_SWEEP_SECONDS", 300, minimum=1)),
        # Emails waiting longer than this are queued again (a second copy sends nothing: see the task).
        "kwargs": {"older_than_seconds": env_int("NOTIFICATION_SWEEP_AFTER_SECONDS", 120, minimum=0)},
    },
    "check-leavers-with-identity-providers": {
        "task": "federation.tasks.check_leavers",
        "schedule": 900.0,
    },
    "forget-idempotency-keys": {
        "task": "partners.tasks.forget_idempotency_keys",
        "schedule": crontab(hour=3, minute=10),
    },
    "sweep-queued-annual-reports": {
        "task": "reporting.tasks.sweep_report_runs",
        "schedule": 300.0,
    },
}

if REDIS_URL:
    CACHES = {
        "default": {
            # Django's Redis cache, answering as an empty one while Redis cannot be reached (mappa.cache).
            "BACKEND": "mappa.cache.FailSoftRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# People and sign-in.
AUTH_USER_MODEL = "agencies.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses sign-in while locked out, before the password is checked
    "agencies.backends.AccountBackend",  # Django's ModelBackend, reading what every page needs with the user
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",  # to verify, and then upgrade, older hashes
]
LOGIN_URL = "sign-in"
LOGIN_REDIRECT_URL = "home"

# Two-factor sign-in (django-otp): a code from an authenticator app, or a single-use recovery code.
OTP_TOTP_ISSUER = "MAPPA case management"
OTP_TOTP_THROTTLE_FACTOR = 1  # each wrong code doubles the wait before the next is considered
OTP_STATIC_THROTTLE_FACTOR = 1
RECOVERY_CODES = 10

# Lockout (django-axes), keyed on the username and the client address together, so one person's
# typos cannot lock everyone behind the same proxy out, nor can one address try many usernames fast.
AXES_FAILURE_LIMIT = env_int("SIGN_IN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("SIGN_IN_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "mappa.client_address.client_address"
AXES_DISABLE_ACCESS_LOG = True  # sign-ins are in the audit log already; axes keeps only the failures
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "mappa.second_factor.locked_out"
AXES_VERBOSE = False

# django-guardian: no anonymous user exists, so nothing can ever be granted to one.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_404 = True

# The audit log (django-auditlog with the project's own entry model, see mappa/audit).
AUDITLOG_LOGENTRY_MODEL = "audit.AuditEntry"
AUDITLOG_DISABLE_ON_RAW_SAVE = True
AUDITLOG_STORE_JSON_CHANGES = True
AUDITLOG_MASK_CALLABLE = "mappa.audit.masking.mask"
# django-auditlog's migrations create its own entry table even though ours replaces it; with them
# switched off, that table is never made and the audit log lives in one table only.
MIGRATION_MODULES = {"auditlog": None}

# Sessions live in the database (server-side) and end when the browser closes, after 15 minutes
# without a request (each request moves the expiry on), or 12 hours after signing in, whichever is first.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_TIMEOUT_SECONDS", 15 * 60, minimum=60)
SESSION_TOUCH_SECONDS = min(60, SESSION_COOKIE_AGE // 10)  # how often a request moves the idle limit on
SESSION_ABSOLUTE_TIMEOUT_SECONDS = env_int("SESSION_ABSOLUTE_TIMEOUT_SECONDS", 12 * 60 * 60, minimum=60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Security. Behind a TLS-terminating proxy set TRUST_X_FORWARDED_PROTO=true.
SECURE = not DEBUG
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", SECURE)
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if SECURE else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content Security Policy: scripts, styles and images from this service only; nothing inline.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "base-uri": [NONE],
        "object-src": [NONE],
        "frame-ancestors": [NONE],
    }
}
if env_bool("TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The health check is polled over plain HTTP by the container runtime and load balancers.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Email: SMTP when EMAIL_HOST is set; files in EMAIL_FILE_PATH if that is set; else the console.
EMAIL_HOST = env_optional("EMAIL_HOST")
EMAIL_FILE_PATH = env_optional("EMAIL_FILE_PATH")
if EMAIL_FILE_PATH:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
elif EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "mappa-no-reply@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Language, time and dates: British English, Europe/London, GOV.UK date style (see mappa/formats).
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True
FORMAT_MODULE_PATH = ["mappa.formats"]

# Static files: built by `npm run build` into static/build, served by WhiteNoise.
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
# Documents: the file system under var/documents, or an S3-compatible object store when a bucket is
# named. Either way files are never served from a public URL: a view that checks access streams them.
DOCUMENTS_S3_BUCKET = env_optional("DOCUMENTS_S3_BUCKET")
DOCUMENT_MAX_BYTES = env_int("DOCUMENT_MAX_MB", 20, minimum=1) * 1024 * 1024
if DOCUMENTS_S3_BUCKET:
    DOCUMENTS_STORAGE: dict[str, Any] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": DOCUMENTS_S3_BUCKET,
            "endpoint_url": env_optional("DOCUMENTS_S3_ENDPOINT_URL"),
            "region_name": env_str("DOCUMENTS_S3_REGION", "eu-west-2"),
            "access_key": env_optional("DOCUMENTS_S3_ACCESS_KEY_ID"),
            "secret_key": env_optional("DOCUMENTS_S3_SECRET_ACCESS_KEY"),
            "default_acl": "private",
            "file_overwrite": False,
            "querystring_auth": True,
        },
    }
    encryption = env_str("DOCUMENTS_S3_ENCRYPTION", "AES256").strip()
    if encryption:
        DOCUMENTS_STORAGE["OPTIONS"]["object_parameters"] = {"ServerSideEncryption": encryption}
else:
    # MEDIA_ROOT, which nothing serves: the storage reads it when it is used, so tests can move it.
    DOCUMENTS_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
MEDIA_ROOT = env_str("DOCUMENTS_DIR", str(VAR_DIR / "documents"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "documents": DOCUMENTS_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST", not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"
CRISPY_GDS_FRONTEND_VERSION = "5.14.0"

SERVICE_NAME = "MAPPA case management"
# The access report flags anyone viewing more records than this in a day outside their own caseload.
AUDIT_UNUSUAL_VIEWS_PER_DAY = env_int("AUDIT_UNUSUAL_VIEWS_PER_DAY", 25, minimum=1)
# Where links in emails point.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")
SECURITY_MARKING = "OFFICIAL-SENSITIVE"

# One line per record on standard output: JSON (for a log collector) unless LOG_FORMAT=plain.
# Every record carries the id of the request it was written in, which audit entries carry too.
LOG_FORMAT = env_str("LOG_FORMAT", "plain" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "mappa.request_id.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # Quiet the lockout library's note of every successful sign-in (it deletes no failures).
    "loggers": {"axes": {"level": "WARNING"}},
}
# /readyz reports "delayed" once an email has waited longer than this to be sent.
READY_MAX_UNSENT_EMAIL_SECONDS = env_int("READY_MAX_UNSENT_EMAIL_SECONDS", 900, minimum=60)
# django-auditlog stores this as each entry's correlation id (`cid`).
AUDITLOG_CID_GETTER = "mappa.request_id.current_request_id"
