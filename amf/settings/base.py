"""Settings shared by every environment.

Everything is declared here and switched by environment variables read through one ``env`` object
(12-factor). ``.env.example`` documents each variable. With no environment at all the site runs as a
local demo: SQLite in ``var/``, Celery on kombu's filesystem transport, email to ``var/mail`` and the
console. ``local.py``, ``production.py`` and ``test.py`` only change defaults.
"""

from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# A .env beside manage.py fills in what the environment does not set; AMF_ENV_FILE names another
# file, or none at all with AMF_ENV_FILE="" (as the deploy checks in tests/test_deploy.py do).
AMF_ENV_FILE = env("AMF_ENV_FILE", default=str(BASE_DIR / ".env"))
if AMF_ENV_FILE:
    environ.Env.read_env(AMF_ENV_FILE, overwrite=False)

# Where the embedded default keeps its state (database, queue, mail, media). Never committed.
VAR_DIR = Path(env("AMF_VAR_DIR", default=str(BASE_DIR / "var")))

SECRET_KEY = env("SECRET_KEY")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# A form that fails the CSRF check gets the site's page (templates/403_csrf.html), not Django's.
CSRF_FAILURE_VIEW = "amf.site_pages.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "csp",
    "django_countries",
    "phonenumber_field",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "events",
    "delegates",
]

MIDDLEWARE = [
    "amf.middleware.AccountPagesNoStoreMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    # Outside sessions, CSRF and authentication: a request that lost its database connection runs
    # again from the start, or gets the site's "please try again" page (amf/database_retry.py).
    "amf.database_retry.DatabaseRetryMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "amf.middleware.AdminRequiresMFAMiddleware",
    "amf.middleware.SignOutClearsSiteDataMiddleware",
]

ROOT_URLCONF = "amf.urls"
WSGI_APPLICATION = "amf.wsgi.application"

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
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# --- Database --------------------------------------------------------------------------------------
# PostgreSQL in production and in the test suite (DATABASE_URL); SQLite in var/ for the embedded
# default, in WAL mode with IMMEDIATE transactions so that concurrent writers queue instead of failing
# with "database is locked".
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'amf.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
        "transaction_mode": "IMMEDIATE",
    }
else:
    # Persistent connections, checked before each request reuses one (a backend ended while idle is
    # replaced, not met by a query); a connection cut during a request: amf/database_retry.py. A server
    # that does not answer fails a connect within DATABASE_CONNECT_TIMEOUT seconds (libpq waits
    # forever by default), so the request gets "please try again" instead of hanging its worker.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=5)
    )
    # Querysets are small (a form's choices, a page of rows): fetching them in one round trip is cheaper
    # than a server-side cursor's DECLARE/FETCH/CLOSE, and a transaction-pooling proxy (PgBouncer) in
    # front of PostgreSQL needs it anyway.
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache -----------------------------------------------------------------------------------------
# With Redis, the cache degrades to each process's memory while Redis does not answer (amf/cache.py):
# sign-in, sign-up and password reset keep working and their rate limits hold per process. A request
# waits at most a second for a Redis that does not answer, once in a few seconds per process.
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "amf.cache.FailoverRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1.0, "socket_timeout": 1.0},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery ----------------------------------------------------------------------------------------
# Redis when REDIS_URL is set; otherwise kombu's filesystem transport in var/celery, which needs no
# server yet runs a real worker, so background work behaves as in production.
CELERY_QUEUE_DIR = VAR_DIR / "celery"
# With Redis, publishing gives up within about a second when the broker is unreachable (no reconnect
# retries, short connect timeout): the email stays in the outbox and the sweep sends it later, so a
# delegate never waits on a dead broker. A worker still reconnects on its own (broker_connection_*).
REDIS_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3600,
    "max_retries": 0,
    "socket_connect_timeout": env.float("CELERY_BROKER_CONNECT_TIMEOUT", default=1.0),
}
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = REDIS_BROKER_TRANSPORT_OPTIONS
else:
    CELERY_BROKER_URL = "filesystem://localhost//"  # a host silences kombu's "no hostname" warning
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_QUEUE_DIR / "queue"),
        "data_folder_out": str(CELERY_QUEUE_DIR / "queue"),
        "processed_folder": str(CELERY_QUEUE_DIR / "processed"),
        "store_processed": False,
        "control_folder": str(CELERY_QUEUE_DIR / "control"),
    }
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_IGNORE_RESULT = True  # progress and outcomes are stored in our own tables
CELERY_TASK_ACKS_LATE = True  # a killed worker's job is redelivered; tasks are idempotent
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 300
CELERY_TASK_TIME_LIMIT = 360
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    # Emails whose task never reached the broker (it was down) are sent once it is back.
    "outbox-sweep": {
        "task": "delegates.outbox_sweep",  # background.SWEEP_OUTBOX
        "schedule": env.float("OUTBOX_SWEEP_SECONDS", default=60.0),
    },
}
# Email retries (delegates/mail/outbox.py): exponential backoff from OUTBOX_RETRY_BACKOFF seconds,
# capped; the sweep picks up a row never attempted after OUTBOX_SWEEP_AFTER_SECONDS.
OUTBOX_RETRY_BACKOFF = env.float("OUTBOX_RETRY_BACKOFF", default=5.0)
OUTBOX_RETRY_BACKOFF_MAX = env.float("OUTBOX_RETRY_BACKOFF_MAX", default=600.0)
OUTBOX_MAX_RETRIES = env.int("OUTBOX_MAX_RETRIES", default=10)
OUTBOX_SWEEP_AFTER_SECONDS = env.float("OUTBOX_SWEEP_AFTER_SECONDS", default=60.0)

# Workers that die mid-task (delegates/mail/outbox.py, delegates/printing/): an email's attempt is
# recorded before the relay is spoken to and is the worker's for OUTBOX_SENDING_LEASE_SECONDS (not
# shorter than the send task's hard time limit, 55 s), after which the sweep sends it again, with the
# same Message-ID. A running print job writes a heartbeat every PRINT_JOB_HEARTBEAT_SECONDS; beat's
# print-job sweep (every PRINT_JOB_SWEEP_SECONDS) hands a job whose heartbeat is older than
# PRINT_JOB_STALE_SECONDS to another worker. Badge files are rendered in BADGE_RENDER_DIR (mode 0700),
# cleaned after each run and when a worker starts.
OUTBOX_SENDING_LEASE_SECONDS = env.float("OUTBOX_SENDING_LEASE_SECONDS", default=60.0)
# How often an open dashboard fetches its check-in figures again (delegates/dashboard/views.py).
DASHBOARD_REFRESH_SECONDS = env.int("DASHBOARD_REFRESH_SECONDS", default=30)
PRINT_JOB_HEARTBEAT_SECONDS = env.float("PRINT_JOB_HEARTBEAT_SECONDS", default=10.0)
PRINT_JOB_STALE_SECONDS = env.float("PRINT_JOB_STALE_SECONDS", default=60.0)
CELERY_BEAT_SCHEDULE["print-job-sweep"] = {
    "task": "delegates.print_job_sweep",  # background.SWEEP_PRINT_JOBS
    "schedule": env.float("PRINT_JOB_SWEEP_SECONDS", default=30.0),
}
# Staff's approval digests (delegates/mail/digest.py): beat looks every APPROVAL_DIGEST_SWEEP_SECONDS for
# forums whose hourly or daily digest is due; each period is sent once.
CELERY_BEAT_SCHEDULE["approval-digest"] = {
    "task": "delegates.approval_digest_sweep",  # background.SEND_APPROVAL_DIGESTS
    "schedule": env.float("APPROVAL_DIGEST_SWEEP_SECONDS", default=300.0),
}
BADGE_RENDER_DIR = Path(env("BADGE_RENDER_DIR", default=str(VAR_DIR / "render")))

# --- Email -----------------------------------------------------------------------------------------
# Production points EMAIL_URL at the SMTP relay (smtp+tls://user:pass@host:587). The embedded default
# writes each message to var/mail and echoes it on the console.
EMAIL_MAIL_DIR = VAR_DIR / "mail"
if env("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "amf.mail.LocalDemoEmailBackend"
    EMAIL_FILE_PATH = str(EMAIL_MAIL_DIR)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="AMF Events <no-reply@localhost>")
SERVER_EMAIL = env("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
# The secretariat's address: Reply-To of account emails, and of a forum's emails when the forum has no
# secretariat address of its own (delegates/mail/outbox.py). Empty: no Reply-To.
SECRETARIAT_EMAIL = env("SECRETARIAT_EMAIL", default="")

# --- Auth ------------------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "delegates:my-registrations"

# Accounts (django-allauth): sign in by email, no usernames, mandatory verification. Its rate limits
# (login, failed login, sign-up, password reset) are on by default and use the cache above; enumeration
# through the sign-up and reset forms is prevented.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[AMF Events] "
ACCOUNT_ADAPTER = "delegates.mail.account_adapter.AccountAdapter"
# Sign-up takes as long whether or not the address has an account (it hashes the password either way).
ACCOUNT_FORMS = {"signup": "delegates.mail.account_forms.SignupForm"}
# An account is its email address: allauth shows the address wherever it would show a user (the
# usernames Django keeps are made up by allauth and never shown).
ACCOUNT_USER_DISPLAY = "delegates.mail.account_adapter.user_display"
# Tell the account's address when its password or addresses change (or two-factor authentication is
# turned on or off), with where the change came from.
ACCOUNT_EMAIL_NOTIFICATIONS = True
# No "Remember me": a sign-in lasts until the browser is closed. Offices share computers, and an
# account can change or cancel a mayor's registration.
ACCOUNT_SESSION_REMEMBER = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True  # also after verifying an address, which signs the user in
# Rate limits count per client address: allauth's get_client_ip (amf/client_address.py for our own
# code). Behind proxies, exactly TRUSTED_PROXY_COUNT of them are trusted: the address is the one the
# outermost of ours appended to X-Forwarded-For (docker-compose.yml: one, Caddy, which replaces what
# a client sent). 0, without a proxy: X-Forwarded-For is ignored, the address is the connection's.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/3m/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "AMF Events"
# Staff must have enrolled TOTP before they can use the admin (on in production).
ADMIN_REQUIRES_MFA = env.bool("ADMIN_REQUIRES_MFA", default=False)

PHONENUMBER_DEFAULT_REGION = None  # delegates type international numbers (+66 ...)
PHONENUMBER_DB_FORMAT = "E164"

# Badge print jobs: badges per WeasyPrint document (a multiple of 4 keeps A4 sheets full), and rendering
# processes per job (0: one per core).
BADGE_PRINT_CHUNK_SIZE = env.int("BADGE_PRINT_CHUNK_SIZE", default=48)
BADGE_RENDER_PROCESSES = env.int("BADGE_RENDER_PROCESSES", default=0)

# Backups (manage.py backup, the compose backup service): where they go, and how many are kept.
BACKUP_DIR = Path(env("BACKUP_DIR", default=str(VAR_DIR / "backups")))
BACKUP_KEEP = env.int("BACKUP_KEEP", default=14)

# Registration: how long a writer waits for the seat locks before "please try again".
REGISTRATION_LOCK_TIMEOUT = env.float("REGISTRATION_LOCK_TIMEOUT", default=5.0)
# Absolute links in emails (https://events.example.org).
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

# --- Internationalisation --------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"  # stored in UTC; every page shows times in the forum's own time zone
USE_TZ = True

# --- Static and media files ------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(VAR_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Uploaded and generated files (speaker photos, badge PDFs): local media by default; any S3-compatible
# store (AWS S3, MinIO, Ceph, ...) when S3_BUCKET is set, so web and worker containers stay stateless.
S3_BUCKET = env("S3_BUCKET", default="")
if S3_BUCKET:
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env("S3_ENDPOINT_URL", default=None),
            "region_name": env("S3_REGION", default=None),
            "access_key": env("S3_ACCESS_KEY_ID", default=None),
            "secret_key": env("S3_SECRET_ACCESS_KEY", default=None),
            "default_acl": None,
            "querystring_auth": True,  # badges are personal data: only short-lived signed links
            "querystring_expire": 300,
            "file_overwrite": True,
        },
    }
else:
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _default_storage,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_MAX_AGE = 3600

# --- Security headers ------------------------------------------------------------------------------
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# No script of ours reads the CSRF cookie: forms carry the token, and the check-in page's script sends
# the one its page carries (X-CSRFToken).
CSRF_COOKIE_HTTPONLY = True

# --- Logging ---------------------------------------------------------------------------------------
# Structured, one JSON object per line in production (LOG_FORMAT=json). Our code logs ids and event
# names, never names, emails or phone numbers of delegates.
LOG_FORMAT = env("LOG_FORMAT", default="text")
LOG_LEVEL = env("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "filters": {
        # A request whose database connection was lost is run again or answered "try again", and
        # logged as such by amf/database_retry.py, not as an "Internal Server Error".
        "skip_handled_connection_loss": {"()": "amf.database_retry.SkipHandledConnectionLoss"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},  # INFO is a line per page of every badge PDF
        "fontTools": {"level": "WARNING"},
        # Django's request logger prints the request object on errors, which may carry form data.
        "django.request": {"level": "ERROR", "filters": ["skip_handled_connection_loss"]},
    },
}

ADMIN_URL = env("ADMIN_URL", default="admin/")
# Used in calendar UIDs and absolute links in feeds.
SITE_DOMAIN = env("SITE_DOMAIN", default="localhost")
