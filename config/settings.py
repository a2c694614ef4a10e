"""Tandem settings: read only from the environment (django-environ).

Defaults give the embedded setup: SQLite and a file-system Celery broker in ``DATA_DIR``.
``DATABASE_URL`` switches to PostgreSQL, ``REDIS_URL``/``CELERY_BROKER_URL`` to Redis.
``DJANGO_ENV=production`` refuses to start without a secret key, allowed hosts and the
site URL, or with DEBUG on. Every variable is documented in ``.env.example``.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import environ
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local .env is a convenience for development; real deployments set the environment.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DJANGO_ENV = env.str("DJANGO_ENV", default="development")
if DJANGO_ENV not in {"development", "production", "test"}:
    raise ImproperlyConfigured("DJANGO_ENV must be development, production or test.")
PRODUCTION = DJANGO_ENV == "production"

DATA_DIR = Path(env.str("DATA_DIR", default=str(BASE_DIR / "data")))
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.bool("DEBUG", default=not PRODUCTION)
# Taken as it is: django-environ would read a key starting with "$" (Django's own
# get_random_secret_key() makes one in fifty) as the name of another variable.
SECRET_KEY = env.ENVIRON.get("SECRET_KEY", "")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[] if PRODUCTION else ["*"])

if PRODUCTION:
    # Fail fast: a production process must never run with development defaults.
    if DEBUG:
        raise ImproperlyConfigured("DEBUG must be off when DJANGO_ENV=production.")
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("SECRET_KEY (50+ random characters) is required in production.")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS is required in production.")
elif not SECRET_KEY:
    # Development and tests only: a per-checkout key kept in the data folder, never in git.
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        from django.core.management.utils import get_random_secret_key

        key_file.write_text(get_random_secret_key())
        key_file.chmod(0o600)
    SECRET_KEY = key_file.read_text().strip()

# Where invitation and password-reset links point. Unset in development: links are built
# from the request's own origin (families/links.py), whatever port or address serves it.
SITE_URL = env.str("SITE_URL", default="").rstrip("/")
if PRODUCTION and not SITE_URL.startswith(("https://", "http://")):
    raise ImproperlyConfigured(
        "SITE_URL (the app's address, e.g. https://tandem.example.com) is required in production."
    )
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[SITE_URL] if SITE_URL else [])
# The Django admin's path, or empty for no admin. Production mounts it only when set.
ADMIN_URL = env.str("ADMIN_URL", default="" if PRODUCTION else "admin/").strip("/")
ADMIN_URL = f"{ADMIN_URL}/" if ADMIN_URL else ""

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served from here: the CSP allows no CDN
    "csp",
    "families",
    "routines",
    "checkins",
    "care",
    "reminders",
    "calendars",
    "reports",
    "demo",
    "frontend",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.middleware.DatabaseUnavailableMiddleware",
    "core.middleware.ApiAppendSlashMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'tandem.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while the Celery worker writes; IMMEDIATE transactions
    # avoid "database is locked" upgrades from read to write locks.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA mmap_size=268435456; PRAGMA cache_size=-32000; PRAGMA temp_store=MEMORY;"
        ),
    }
    # Tests use an in-memory database, except those marked shared_db (tests/conftest.py).
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if env.bool("DATABASE_PREPARED_STATEMENTS", default=True):
        # Parameters bound by the server and statements a connection repeats prepared
        # once (psycopg's prepare_threshold): PostgreSQL plans each statement of the hot
        # paths once per connection instead of on every request. Set it false behind a
        # transaction-pooling PgBouncer older than 1.21 (Django's own default is off).
        DATABASES["default"].setdefault("OPTIONS", {})
        DATABASES["default"]["OPTIONS"].update(server_side_binding=True, prepare_threshold=2)
# Persistent connections (each thread its own), also for SQLite: opening one and running
# the PRAGMAs above costs more than most queries, and a Celery worker would otherwise
# reopen for every task. (runserver's thread-per-request simply gains nothing from it.)
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (throttling state) ---------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    # File cache: shared by every process of the embedded setup, no server needed.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
        }
    }

# Sessions are read on every request: from the cache, written through to the database
# (``cached_db``), so a cache miss or a restart signs nobody out. The cache must be one
# every web process shares (Redis, or files in DATA_DIR, never per-process memory), or a
# logout in one worker would leave the session alive in another. Its own alias: sessions
# must not push the throttling state out of a bounded cache.
if REDIS_URL:
    CACHES["sessions"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "sessions",
    }
else:
    CACHES["sessions"] = {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(DATA_DIR / "sessions"),
        "OPTIONS": {"MAX_ENTRIES": env.int("SESSION_CACHE_ENTRIES", default=20000)},
    }
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_CACHE_ALIAS = "sessions"

# Rendered Today boards, per process: each is keyed by its family's board_version (read
# from the database with the membership), so no process can serve a stale one.
CACHES["boards"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "tandem-boards",
    "TIMEOUT": 24 * 3600,
    "OPTIONS": {"MAX_ENTRIES": env.int("BOARD_CACHE_ENTRIES", default=5000)},
}

# --- Accounts -------------------------------------------------------------------------
AUTH_USER_MODEL = "families.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "families.passwords.NotOnlyWhitespaceValidator"},
]
INVITATION_TTL = timedelta(days=env.int("INVITATION_TTL_DAYS", default=7))
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=60 * 60 * 3)
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 24 * 60)

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Tandem <no-reply@localhost>")

# --- Security -------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# The PWA reads the CSRF token from the cookie and sends it in X-CSRFToken.
CSRF_COOKIE_HTTPONLY = False
# Login and signup check CSRF before DRF runs; /api/ paths get the JSON error shape.
CSRF_FAILURE_VIEW = "core.errors.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=256 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 500
# The app's own pages may take a step's photo and record its voice prompt; nothing
# embedded may, and nothing may ask for location, payment or USB.
PERMISSIONS_POLICY = "camera=(self), microphone=(self), geolocation=(), payment=(), usb=()"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "manifest-src": ["'self'"],
        "worker-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# --- Static files (WhiteNoise) --------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
# --- Family media (families/media.py) ------------------------------------------------------
# Photos and recordings go to "default": a folder under DATA_DIR, or an S3-compatible
# bucket when MEDIA_S3_BUCKET is set. The app streams every file itself (never a redirect
# to the bucket, never a public ACL), so each read passes the family's access checks.
MEDIA_ROOT = DATA_DIR / "media-files"
MEDIA_S3_BUCKET = env.str("MEDIA_S3_BUCKET", default="")
if MEDIA_S3_BUCKET:
    MEDIA_STORAGE: dict[str, Any] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": MEDIA_S3_BUCKET,
            "endpoint_url": env.str("MEDIA_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("MEDIA_S3_REGION", default="") or None,
            "location": env.str("MEDIA_S3_PREFIX", default=""),
            "default_acl": None,  # the bucket's own (private) policy
            "querystring_auth": True,  # url() would be signed; the app never hands it out
            "file_overwrite": False,  # names are content hashes: save() never replaces
            "addressing_style": env.str("MEDIA_S3_ADDRESSING_STYLE", default="") or None,
            # AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY come from the environment (boto3).
        },
    }
else:
    MEDIA_STORAGE = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT), "base_url": "/unused-media-url/"},
    }
MEDIA_FAMILY_QUOTA_BYTES = env.int("MEDIA_FAMILY_QUOTA_BYTES", default=500 * 1024 * 1024)
# Pictures are re-encoded to at most 1,280 px: a phone's photo is a few MB before that.
MEDIA_IMAGE_UPLOAD_MAX_BYTES = env.int("MEDIA_IMAGE_UPLOAD_MAX_BYTES", default=15 * 1024 * 1024)
MEDIA_MAX_IMAGE_PIXELS = env.int("MEDIA_MAX_IMAGE_PIXELS", default=40_000_000)
MEDIA_AUDIO_MAX_BYTES = env.int("MEDIA_AUDIO_MAX_BYTES", default=1024 * 1024)
MEDIA_AUDIO_MAX_SECONDS = env.int("MEDIA_AUDIO_MAX_SECONDS", default=30)
# An upload's file parts stay in memory up to this size, then go to a temporary file.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

STORAGES = {
    "default": MEDIA_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "core.storage.StaticStorage"
            if env.bool("STATIC_MANIFEST", default=PRODUCTION)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_MAX_AGE = 60 * 60 * 24 * 365 if PRODUCTION else 0

# English, Spanish, French, German; URLs carry no language prefix (an API and a PWA).
# A signed-in member's own choice beats Accept-Language (core.middleware).
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español"), ("fr", "Français"), ("de", "Deutsch")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- API ------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    # A child device only where a view opens itself to one (families/scoping.py).
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "families.permissions.DevicesOnlyWhereAllowed",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    # Bounded before parsing: DATA_UPLOAD_MAX_MEMORY_SIZE (413) and 32 levels deep (400).
    "DEFAULT_PARSER_CLASSES": ["core.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "core.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "core.schema.AutoSchema",  # documents the error answers
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    # No OPTIONS introspection: the OpenAPI schema documents the API, and DRF's metadata
    # would call get_object() on views that address objects by several URL keywords.
    "DEFAULT_METADATA_CLASS": None,
    "DEFAULT_THROTTLE_RATES": {
        # Failed sign-ins (families/throttling.py): per (account, address) pair, where an
        # account's unknown addresses also start to wait; and, looser, per address.
        "login": env.str("THROTTLE_LOGIN", default="10/hour"),
        "login_address": env.str("THROTTLE_LOGIN_ADDRESS", default="30/hour"),
        "pin": env.str("THROTTLE_PIN", default="5/hour"),
        "auth": env.str("THROTTLE_AUTH", default="30/hour"),
        "password_reset": env.str("THROTTLE_PASSWORD_RESET", default="5/hour"),
        "password_reset_account": env.str("THROTTLE_PASSWORD_RESET_ACCOUNT", default="3/hour"),
        "invitation": env.str("THROTTLE_INVITATION", default="60/hour"),
        "sitter_pass": env.str("THROTTLE_SITTER_PASS", default="20/hour"),
        "device_pair": env.str("THROTTLE_DEVICE_PAIR", default="20/hour"),
        "push_test": env.str("THROTTLE_PUSH_TEST", default="10/hour"),
        "export": env.str("THROTTLE_EXPORT", default="30/hour"),
        "import": env.str("THROTTLE_IMPORT", default="10/hour"),
        "report": env.str("THROTTLE_REPORT", default="60/hour"),
        "share": env.str("THROTTLE_SHARE", default="120/hour"),
        "calendar": env.str("THROTTLE_CALENDAR", default="120/hour"),
    },
    "NUM_PROXIES": env.int("NUM_PROXIES", default=1 if PRODUCTION else 0),
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Tandem API",
    "DESCRIPTION": "Family routines, emotional check-ins and reminders.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # /api/docs/ from our own static files (the CSP allows no CDN), without the
    # validator badge (an image from swagger.io).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    # One name for a choice set used by several fields.
    "ENUM_NAME_OVERRIDES": {
        "QuadrantEnum": "checkins.serializers.QUADRANT_CHOICES",
        "RoleEnum": "families.models.Role",
        "MemberRoleEnum": "families.models.INVITABLE_ROLES",
        "MediaKindEnum": "families.models.MediaKind",
        "ReportStatusEnum": "reports.models.ReportStatus",
        "ShareStatusEnum": ["active", "expired", "revoked"],
    },
    # Ids in paths (core.ids: <id:…>) are integers SQLite can hold.
    "PATH_CONVERTER_OVERRIDES": {
        "id": {"type": "integer", "minimum": 1, "maximum": 2**63 - 1},
    },
}

# --- Celery ---------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
BROKER_DIR = DATA_DIR / "broker"
if CELERY_BROKER_URL.startswith("filesystem://"):
    # Embedded default: kombu's file-system transport needs no server
    # (docs/architecture.md, "Testing against real parts").
    for sub in ("queue", "processed", "control"):
        (BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        # Broadcast/remote-control state (celery inspect) lives here, not in the cwd.
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
        "polling_interval": 0.2,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)

# --- Reminders ------------------------------------------------------------------------
REMINDER_TICK_SECONDS = env.float("REMINDER_TICK_SECONDS", default=15.0)
REMINDER_GRACE = timedelta(minutes=env.int("REMINDER_GRACE_MINUTES", default=15))
# Due reminders claimed per transaction by the tick (short transactions, bounded memory).
REMINDER_BATCH_SIZE = env.int("REMINDER_BATCH_SIZE", default=500)
# Dispatchers working one tick's reminders side by side on PostgreSQL (SKIP LOCKED): a
# tick whose first batch is full starts this many less one more, on the dispatch queue.
REMINDER_DISPATCHERS = env.int("REMINDER_DISPATCHERS", default=4)
if REMINDER_DISPATCHERS < 1:
    raise ImproperlyConfigured("REMINDER_DISPATCHERS must be at least 1.")
# Sends: HTTP timeout, attempts, exponential backoff (base * 2^n, capped; Retry-After wins).
REMINDER_SEND_TIMEOUT = env.float("REMINDER_SEND_TIMEOUT", default=10.0)
# Deliveries per send task: a task posts them concurrently (reminders/pushclient.py), so a
# chunk must be at least REMINDER_PUSH_HOST_CONCURRENCY for the waits to overlap. Each
# task ends waiting one round trip with nothing else to send, so larger chunks lose less
# of a worker to a slow push service (bench/reminders.py at 100 ms, README).
REMINDER_SEND_CHUNK = env.int("REMINDER_SEND_CHUNK", default=500)
# Pushes in flight at once per push-service host, per worker process (keep-alive pool):
# a process sends at most this many per round trip (200 at 100 ms: 2,000/s), which must
# stay above what its CPU can encrypt and post (about 1,000/s) for a slow push service
# to cost no throughput.
REMINDER_PUSH_HOST_CONCURRENCY = env.int("REMINDER_PUSH_HOST_CONCURRENCY", default=200)
REMINDER_MAX_ATTEMPTS = env.int("REMINDER_MAX_ATTEMPTS", default=5)
REMINDER_RETRY_BASE_SECONDS = env.float("REMINDER_RETRY_BASE_SECONDS", default=5.0)
REMINDER_RETRY_MAX_SECONDS = env.float("REMINDER_RETRY_MAX_SECONDS", default=300.0)
# The tick re-enqueues a pending delivery this long overdue (its task was lost) and a
# "sending" one whose worker has held it this long (it died mid-send).
REMINDER_REQUEUE_SECONDS = env.float("REMINDER_REQUEUE_SECONDS", default=60.0)
REMINDER_SEND_LEASE_SECONDS = env.float("REMINDER_SEND_LEASE_SECONDS", default=60.0)
# The delivery ledger keeps this many days (the Deliveries screen, the exactly-once rule);
# older processed reminders and their deliveries are pruned hourly, in batches.
REMINDER_KEEP_DAYS = env.int("REMINDER_KEEP_DAYS", default=30)
if REMINDER_KEEP_DAYS < 2:
    raise ImproperlyConfigured("REMINDER_KEEP_DAYS must be at least 2.")
REMINDER_PRUNE_BATCH = env.int("REMINDER_PRUNE_BATCH", default=2000)
# The weekly digest (opt-in per member): Sunday at this family-local wall time ("HH:MM").
DIGEST_LOCAL_TIME = env.str("DIGEST_LOCAL_TIME", default="19:00")
try:
    _digest_hour, _digest_minute = (int(part) for part in DIGEST_LOCAL_TIME.split(":"))
    if not (0 <= _digest_hour < 24 and 0 <= _digest_minute < 60):
        raise ValueError(DIGEST_LOCAL_TIME)
except ValueError as exc:
    raise ImproperlyConfigured("DIGEST_LOCAL_TIME must be HH:MM, e.g. 19:00.") from exc
VAPID_PRIVATE_KEY = env.str("VAPID_PRIVATE_KEY", default="")
VAPID_PUBLIC_KEY = env.str("VAPID_PUBLIC_KEY", default="")
VAPID_SUBJECT = env.str("VAPID_SUBJECT", default="mailto:admin@localhost")
WEBPUSH_ALLOWED_HOSTS = env.list(
    "WEBPUSH_ALLOWED_HOSTS",
    default=[
        "fcm.googleapis.com",
        "updates.push.services.mozilla.com",
        "*.push.services.mozilla.com",
        "*.push.apple.com",
        "*.notify.windows.com",
    ],
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Celery serialisation and queues: sends go to their own queue so a burst of pushes can
# never starve the dispatch tick.
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_DEFAULT_QUEUE = "default"
# Every queue the app uses is declared, so a plain ``celery -A config worker`` (no -Q)
# consumes all of them; /healthz reports a queue nobody consumes (core/health.py).
CELERY_TASK_QUEUES = [Queue("dispatch"), Queue("push"), Queue("default")]
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ROUTES = {
    "reminders.dispatch_due": {"queue": "dispatch"},
    "reminders.send_deliveries": {"queue": "push"},
    "reminders.prune_ledger": {"queue": "default"},
    "care.close_ended_passes": {"queue": "default"},
}
# Beat's own bookkeeping (last run times) belongs with the rest of the local state.
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "reminders-dispatch": {
        "task": "reminders.dispatch_due",
        "schedule": float(REMINDER_TICK_SECONDS),
        # A tick that could not run in time is dropped, not piled up behind the next one.
        "options": {"expires": max(1.0, REMINDER_TICK_SECONDS * 0.9)},
    },
    "reminders-prune": {
        "task": "reminders.prune_ledger",
        "schedule": 3600.0,
        "options": {"expires": 1800.0},
    },
    # A sitter pass that ended hands its children over to the owners.
    "care-close-ended-passes": {
        "task": "care.close_ended_passes",
        "schedule": 60.0,
        "options": {"expires": 50.0},
    },
}
