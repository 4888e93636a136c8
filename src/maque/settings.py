"""Django settings for Maque, read strictly from the environment.

Every variable is listed in the README. `MAQUE_MODE=demo` (the default) is the embedded,
zero-setup mode; `MAQUE_MODE=production` refuses to start with a missing secret key, with debug
on, or without allowed hosts.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from maque.core.env import Env

env = Env()

PACKAGE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(env.str("MAQUE_VAR_DIR", str(Path.cwd() / "var"))).resolve()

MODE = env.choice("MAQUE_MODE", "demo", ("demo", "production"))
PRODUCTION = MODE == "production"
DEBUG = env.bool("MAQUE_DEBUG", False)


def _private_dir(path: Path) -> None:
    """Create a directory only its owner may enter (the database, uploads and keys live there)."""
    existed = path.exists()
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not existed:
        path.chmod(0o700)  # mkdir's mode is narrowed by the umask, never widened


def _secret_key() -> str:
    configured = env.str("MAQUE_SECRET_KEY")
    if configured:
        if PRODUCTION and len(configured) < 32:
            raise ImproperlyConfigured(
                "MAQUE_SECRET_KEY must be at least 32 characters in production"
            )
        return configured
    if PRODUCTION:
        raise ImproperlyConfigured("MAQUE_SECRET_KEY is required when MAQUE_MODE=production")
    # The demo keeps a generated key under var/ so sessions survive a restart.
    _private_dir(VAR_DIR)
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("MAQUE_DEBUG must be off when MAQUE_MODE=production")

SECRET_KEY = _secret_key()

_default_hosts = [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]", "testserver"]
ALLOWED_HOSTS = env.list("MAQUE_ALLOWED_HOSTS", _default_hosts)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("MAQUE_ALLOWED_HOSTS is required when MAQUE_MODE=production")
CSRF_TRUSTED_ORIGINS = env.list("MAQUE_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "simple_history",
    "ninja",  # serves the API docs page's assets from the package (no CDN)
    "maque.core",
    "maque.organisation",
    "maque.ledger",
    "maque.api",
    "maque.demo",
    "maque.exchange",
    "maque.workspace",
    "maque.rhythm",
    "maque.notifications",
    "maque.accountability",
    "maque.bulletins",
    "maque.meetings",
    "maque.supervision",
    "maque.projects",
    "maque.diagnosis",
    "maque.deliberation",
    "maque.decisions",
    "maque.petitions",
    "maque.fieldwork",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "maque.core.headers.PrivateResponsesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "maque.workspace.middleware.BusyDatabaseMiddleware",
]

ROOT_URLCONF = "maque.urls"
WSGI_APPLICATION = "maque.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "maque.core.context.maque",
            ],
        },
    },
]

# Database: one URL. The embedded default is a SQLite file under var/ in WAL mode with a busy
# timeout; IMMEDIATE transactions take the write lock up front, so concurrent writers queue
# instead of failing half-way with "database is locked".
_private_dir(VAR_DIR)
DATABASE_URL = env.str("MAQUE_DATABASE_URL", f"sqlite:///{VAR_DIR / 'maque.sqlite3'}")
try:
    _database = dj_database_url.parse(
        DATABASE_URL, conn_max_age=env.int("MAQUE_DB_CONN_MAX_AGE", 0, minimum=0)
    )
except ValueError as error:
    raise ImproperlyConfigured(f"MAQUE_DATABASE_URL is not a database URL: {error}") from None
if _database["ENGINE"] == "django.db.backends.sqlite3":
    _database["OPTIONS"] = {
        "timeout": env.int("MAQUE_SQLITE_BUSY_TIMEOUT", 20, minimum=1),
        "transaction_mode": "IMMEDIATE",
        # WAL lets readers go on while one writer writes. The page cache (32 MB a connection) and
        # memory-mapped reads (address space only, shared with the OS cache) keep the town's
        # figures — a pass over a million index entries — off the system-call path.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
            "PRAGMA cache_size=-32768; PRAGMA mmap_size=2147483648; PRAGMA temp_store=MEMORY;"
        ),
    }
    _database.setdefault("TEST", {})
    # Tests use a file (not memory) so that concurrency tests can open a second connection; one
    # file per test run (inherited by the run's child processes) so parallel runs never collide.
    os.environ.setdefault("MAQUE_TEST_DB_NAME", f"test-{os.getpid()}.sqlite3")
    _database["TEST"]["NAME"] = str(VAR_DIR / os.environ["MAQUE_TEST_DB_NAME"])
DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = env.str("MAQUE_LANGUAGE", "zh-hans")
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = env.str("MAQUE_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("MAQUE_STATIC_ROOT", str(VAR_DIR / "static")))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MAQUE_MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Uploads: evidence photos and documents.
MAQUE_MAX_UPLOAD_BYTES = env.int("MAQUE_MAX_UPLOAD_MB", 10, minimum=1) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = MAQUE_MAX_UPLOAD_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# Spreadsheet imports (ledger exchange): the largest file accepted and the most data rows read.
# An import is all or nothing, so its rows are written in one transaction; the embedded database
# has one writer at a time, and everybody else's writes wait while that transaction runs. On
# SQLite the default therefore keeps the write of one file under 2 seconds on a 2-core machine
# (20,000 new rows: see `bench/exchange.py`); PostgreSQL writes other rows meanwhile.
MAQUE_IMPORT_MAX_BYTES = env.int("MAQUE_IMPORT_MAX_BYTES", 20 * 1024 * 1024, minimum=1024)
MAQUE_IMPORT_MAX_ROWS = env.int(
    "MAQUE_IMPORT_MAX_ROWS",
    20_000 if _database["ENGINE"] == "django.db.backends.sqlite3" else 100_000,
    minimum=1,
)

# The address people use to reach this server, e.g. https://maque.example.gov.cn: links in
# e-mail and group-robot messages are made absolute with it (empty: messages carry no link).
MAQUE_BASE_URL = (env.str("MAQUE_BASE_URL", "") or "").rstrip("/")

# The villages' public pages (/p/…, no account): the address printed on their QR posters (empty:
# MAQUE_BASE_URL), the proposals taken per client address and per village an hour, the failed
# receipt look-ups a client address may make an hour, and the largest photo (MB) a page takes.
MAQUE_PUBLIC_BASE_URL = (env.str("MAQUE_PUBLIC_BASE_URL", "") or MAQUE_BASE_URL).rstrip("/")
MAQUE_PUBLIC_TOPICS_PER_CLIENT = env.int("MAQUE_PUBLIC_TOPICS_PER_CLIENT", 5, minimum=1)
MAQUE_PUBLIC_TOPICS_PER_VILLAGE = env.int("MAQUE_PUBLIC_TOPICS_PER_VILLAGE", 60, minimum=1)
MAQUE_PUBLIC_LOOKUP_FAILURES = env.int("MAQUE_PUBLIC_LOOKUP_FAILURES", 20, minimum=1)
MAQUE_PUBLIC_PHOTO_MB = env.int("MAQUE_PUBLIC_PHOTO_MB", 5, minimum=1)

MAQUE_TOKEN_TTL_DAYS = env.int("MAQUE_TOKEN_TTL_DAYS", 30, minimum=1)

# Failed sign-ins (web and API alike, counted in the database so every server process shares
# them). An account is paused from one address after MAQUE_SIGNIN_FAILURES failures there, and
# everywhere after MAQUE_SIGNIN_ACCOUNT_FAILURES; an address is paused for every account when
# sign-ins to MAQUE_SIGNIN_ADDRESS_ACCOUNTS different accounts fail from it (password spraying).
# Counts run over, and pauses last, MAQUE_SIGNIN_LOCK_MINUTES.
MAQUE_SIGNIN_FAILURES = env.int("MAQUE_SIGNIN_FAILURES", 5, minimum=1)
MAQUE_SIGNIN_ACCOUNT_FAILURES = env.int("MAQUE_SIGNIN_ACCOUNT_FAILURES", 20, minimum=1)
MAQUE_SIGNIN_ADDRESS_ACCOUNTS = env.int("MAQUE_SIGNIN_ADDRESS_ACCOUNTS", 10, minimum=2)
MAQUE_SIGNIN_LOCK_MINUTES = env.int("MAQUE_SIGNIN_LOCK_MINUTES", 15, minimum=1)
# The request header a trusted reverse proxy puts the client's address in (e.g. X-Real-IP or
# X-Forwarded-For, of which the last entry is taken: the one the proxy itself added). Empty:
# the address of the connection. Set it only behind a proxy that overwrites the header.
MAQUE_CLIENT_ADDRESS_HEADER = env.str("MAQUE_CLIENT_ADDRESS_HEADER", "") or ""
MAQUE_DEMO = not PRODUCTION and env.bool("MAQUE_DEMO_BANNER", True)

LOGIN_URL = "workspace:login"
LOGIN_REDIRECT_URL = "workspace:home"

# Uploaded evidence is readable by the server's user only.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

# The API's documentation (/api/v1/docs and openapi.json): public, for signed-in users only, or off.
MAQUE_API_DOCS = env.choice(
    "MAQUE_API_DOCS", "signed-in" if PRODUCTION else "public", ("public", "signed-in", "off")
)

# Every page and response may load only this server's own files (the assets are vendored).
MAQUE_CONTENT_SECURITY_POLICY = env.str(
    "MAQUE_CONTENT_SECURITY_POLICY",
    "default-src 'self'; img-src 'self' data: blob:; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'",
)

# HTTPS in production: behind the reverse proxy that terminates TLS and says so in
# MAQUE_PROXY_SSL_HEADER (X-Forwarded-Proto: https), plain-HTTP requests are redirected and
# browsers are told to use HTTPS only (HSTS).
if PRODUCTION:
    _proxy_ssl_header = env.str("MAQUE_PROXY_SSL_HEADER", "X-Forwarded-Proto") or ""
    SECURE_PROXY_SSL_HEADER = (
        ("HTTP_" + _proxy_ssl_header.upper().replace("-", "_"), "https")
        if _proxy_ssl_header
        else None
    )
    SECURE_SSL_REDIRECT = env.bool("MAQUE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env.int("MAQUE_HSTS_SECONDS", 365 * 24 * 3600, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("MAQUE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env.bool("MAQUE_HSTS_PRELOAD", True)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION and env.bool("MAQUE_SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "client_errors_without_traceback": {"()": "maque.core.logs.ClientErrorsWithoutTraceback"}
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["client_errors_without_traceback"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("MAQUE_LOG_LEVEL", "WARNING")},
}
