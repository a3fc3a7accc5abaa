"""Entente settings, all read from ENTENTE_* environment variables.

With nothing set, Entente runs on an embedded SQLite database in the checkout's var/ and
keeps a generated secret key there, so a fresh checkout works without any configuration.
"""

import datetime as dt
import ipaddress
import os
import secrets
import tempfile
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(f"ENTENTE_{name}", default)


def env_bool(name: str, default: bool) -> bool:
    value = env(name)
    if not value:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str) -> list[str]:
    return [item.strip() for item in env(name).split(",") if item.strip()]


def env_positive_int(name: str, default: int) -> int:
    value = env(name, str(default)).strip()
    if not value.isdigit() or int(value) < 1:
        raise ImproperlyConfigured(f"ENTENTE_{name} must be a whole number above 0, not {value!r}")
    return int(value)


def _data_dir() -> Path:
    """ENTENTE_DATA_DIR, or else `var/` in the source tree Entente runs from (the checkout
    that `make run` installs in editable mode), like Django's own BASE_DIR-relative
    default. Never the current directory: `entente` run from another folder must find
    the same database and secret key, not start an empty database beside a new key."""
    if value := env("DATA_DIR"):
        return Path(value).resolve()
    checkout = BASE_DIR.parent
    if (checkout / "pyproject.toml").is_file():
        return checkout / "var"
    # Installed as a package (site-packages), Entente has no folder of its own to write in.
    raise ImproperlyConfigured(
        "ENTENTE_DATA_DIR is not set; name the directory for the database, uploaded files "
        "and secret key (Entente is installed outside its source tree, so it has no var/ there)"
    )


DATA_DIR = _data_dir()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    if key := env("SECRET_KEY"):
        return key
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        # Generated once per data directory, so sessions survive restarts. Written whole
        # beside it, then linked into place: of processes starting at once on a new data
        # directory, one key wins and every process reads that one, never a partial file.
        fd, name = tempfile.mkstemp(dir=DATA_DIR, prefix=".secret_key.")
        with os.fdopen(fd, "w") as file:  # mkstemp makes it readable by its owner only
            file.write(secrets.token_urlsafe(50))
        draft = Path(name)
        try:
            key_file.hardlink_to(draft)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = [h.strip() for h in env("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
REQUIRE_MFA = env_bool("REQUIRE_MFA", True)

# Behind a TLS-terminating reverse proxy (see README, "Deploying"): cookies only over
# HTTPS, HSTS for a year, and plain HTTP redirected.
HTTPS = env_bool("HTTPS", False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 365 * 24 * 60 * 60 if HTTPS else 0
# HSTS covers the host that sends it and the names below it, never its parent's others.
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
# The browsers' preload list binds a whole registrable domain, a decision for its owner
# rather than for one application on it: no `preload`, and no warning about it.
SILENCED_SYSTEM_CHECKS = ["security.W021"]


def _trusted_proxies() -> list[str]:
    networks = []
    for entry in env_list("TRUSTED_PROXIES"):
        try:
            networks.append(str(ipaddress.ip_network(entry, strict=False)))
        except ValueError:
            raise ImproperlyConfigured(
                f"ENTENTE_TRUSTED_PROXIES: {entry!r} is not an IP address or network"
            ) from None
    return networks


# The addresses (or networks) of the reverse proxies whose X-Forwarded-For and
# X-Forwarded-Proto are believed (entente.core.security.TrustedProxyMiddleware); from
# anyone else these headers are dropped.
TRUSTED_PROXIES = _trusted_proxies()
if HTTPS and not TRUSTED_PROXIES:
    # Entente does not speak TLS itself: without a proxy whose X-Forwarded-Proto is
    # believed, every request looks like plain HTTP and is redirected, for ever.
    raise ImproperlyConfigured(
        "ENTENTE_HTTPS needs ENTENTE_TRUSTED_PROXIES, the address of the proxy that terminates TLS"
    )
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if TRUSTED_PROXIES else None
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # modeltranslation must come before the admin so its admin integration applies.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_filters",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",  # failed sign-ins and lockouts (entente.accounts.lockout)
    "ninja",  # serves the API docs (Swagger UI) from its own static files, no CDN
    "entente.core",
    "entente.audit",
    "entente.apikit",
    "entente.accounts",
    "entente.attachments",
    "entente.comments",
    "entente.agreements",
    "entente.meetings",
    "entente.training",
    "entente.liaison",
    "entente.records",
    "entente.reports",
    "entente.exports",
    "entente.imports",
    "entente.notices",
    "entente.sync",
    "entente.demo",
]

MIDDLEWARE = [
    # First: the client's address and scheme are settled before anything reads them.
    "entente.core.security.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "entente.core.security.SessionLifetimeMiddleware",
    # Outside everything below, so that redirects and refusals are covered too.
    "entente.core.security.NoStoreWhenSignedInMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before the refusal below, which leaves its message for the sign-in page.
    "django.contrib.messages.middleware.MessageMiddleware",
    # A cookie that names no live session is refused before anything reads request.user.
    "entente.accounts.middleware.SessionRefusalMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Needs OTPMiddleware's user.is_verified(); does nothing unless REQUIRE_MFA is on.
    "entente.accounts.middleware.RequireMFAMiddleware",
    "entente.accounts.middleware.PreferencesMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "entente.notices.middleware.ReadOnOpenMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: turns a refused sign-in into the lockout answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "entente.urls"
WSGI_APPLICATION = "entente.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "entente.core.context_processors.navigation",
                "entente.reports.context_processors.clocks",
                "entente.notices.context_processors.unread_notices",
            ],
        },
    },
]


def _database() -> dict[str, Any]:
    url = env("DATABASE_URL")
    if url:
        return dict(dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True))
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": DATA_DIR / "entente.sqlite3",
        "OPTIONS": {
            # IMMEDIATE takes the write lock when a transaction starts, so two writers
            # queue on the busy timeout instead of failing with "database is locked".
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
            ),
        },
        # A file, not the in-memory default: live-server tests run real concurrent
        # transactions, which an in-memory shared-cache database answers with
        # "table is locked" instead of waiting like the real file does.
        "TEST": {"NAME": str(DATA_DIR / "test-entente.sqlite3")},
    }


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# A shared cache in the database, so that every server process counts against one API
# rate limit; its table is the model entente.core.models.CacheEntry.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "entente_cache",
        "OPTIONS": {"MAX_ENTRIES": 10_000},
    }
}

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    # Hashes made before Argon2 still verify, and are rehashed with it at the next sign-in.
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes refuses a sign-in before the password is checked while the account or the
# client's address is locked; it needs the request, which every sign-in form passes.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Lockout (entente.accounts.lockout): this many failed sign-ins within the window lock
# the username, and separately the client's address, until the window has passed since
# the failure that locked them.
LOCKOUT_FAILURES = env_positive_int("LOCKOUT_FAILURES", 5)
LOCKOUT_MINUTES = env_positive_int("LOCKOUT_MINUTES", 15)
# Requests for a password reset link, per client address and per e-mail address, an hour;
# past this no more mail goes out (entente.accounts.passwords.password_reset_allowed).
RESET_PER_HOUR = env_positive_int("RESET_PER_HOUR", 5)
# Audit events of one kind of refused request (csrf_refused, api_token_refused,
# session_refused) a minute, for all clients together; past it one event says so.
REFUSALS_PER_MINUTE = env_positive_int("REFUSALS_PER_MINUTE", 60)
AXES_FAILURE_LIMIT = LOCKOUT_FAILURES
AXES_COOLOFF_TIME = dt.timedelta(minutes=LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_HANDLER = "entente.accounts.lockout.AuditedAxesHandler"
AXES_LOCKOUT_CALLABLE = "entente.accounts.views_lockout.lockout_response"
# REMOTE_ADDR as TrustedProxyMiddleware settled it, never a header of axes' own choosing.
AXES_CLIENT_IP_CALLABLE = "entente.accounts.lockout.client_address"
# Attempts refused during a lockout do not extend it, so the time the user is told holds.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# The audit chain is the one record of failures, lockouts and unlocks; axes keeps only the
# counters it needs, and has no admin pages through which to unlock unaudited.
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ADMIN = False
# A success clears its username's failures (AuditedAxesHandler.user_logged_in), never
# its address's: one valid account must not wipe an address's count of guesses.
AXES_RESET_ON_SUCCESS = False
AXES_VERBOSE = False
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"
# The name authenticator apps show beside the account.
OTP_TOTP_ISSUER = "Entente"
# An operator may remove a user's lost authenticator, but never read its key.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("ar", "العربية"),
    ("fr", "Français"),
    ("en", "English"),
    ("nl", "Nederlands"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# One date format and one date-time format per language (entente/formats/<lang>/formats.py).
FORMAT_MODULE_PATH = ["entente.formats"]
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en", "fr", "nl", "ar")
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns at start-up when it is missing
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

ATTACHMENT_MAX_BYTES = int(env("ATTACHMENT_MAX_BYTES", str(20 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

SESSION_ENGINE = "django.contrib.sessions.backends.db"
# A signed-in session ends after this long without a request, and this long after the
# sign-in whatever the activity (entente.core.security.SessionLifetimeMiddleware).
SESSION_IDLE_MINUTES = env_positive_int("SESSION_IDLE_MINUTES", 30)
SESSION_MAX_HOURS = env_positive_int("SESSION_MAX_HOURS", 12)

# Personal API tokens: the lifetime a token gets when none is asked for, and the longest
# one may have (see entente.accounts.services.token_create).
TOKEN_DEFAULT_DAYS = env_positive_int("TOKEN_DEFAULT_DAYS", 90)
TOKEN_MAX_DAYS = env_positive_int("TOKEN_MAX_DAYS", 365)
if TOKEN_DEFAULT_DAYS > TOKEN_MAX_DAYS:
    raise ImproperlyConfigured("ENTENTE_TOKEN_DEFAULT_DAYS must not exceed ENTENTE_TOKEN_MAX_DAYS")
# How long an Idempotency-Key is honoured; older keys are purged (entente.apikit.idempotency).
IDEMPOTENCY_HOURS = env_positive_int("IDEMPOTENCY_HOURS", 24)
# The cookie and the stored session lapse on the idle timeout; every request renews them.
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# A refused form is recorded in the audit log (accounts.views.csrf_failure).
CSRF_FAILURE_VIEW = "entente.accounts.views.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

from csp.constants import NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

EMAIL_URL = env("EMAIL_URL")
if EMAIL_URL.startswith("smtp"):
    from urllib.parse import urlparse

    _mail = urlparse(EMAIL_URL)
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _mail.hostname or "localhost"
    EMAIL_PORT = _mail.port or 25
    EMAIL_HOST_USER = _mail.username or ""
    EMAIL_HOST_PASSWORD = _mail.password or ""
    EMAIL_USE_TLS = _mail.scheme == "smtp+tls"
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env("EMAIL_FROM", "entente@localhost")
# Notices (entente.notices; `entente remind`). Links in e-mails start with SITE_URL.
# A request is "nearing its deadline" once this share of its time is left.
NOTICE_REQUEST_SHARE = float(env("NOTICE_REQUEST_SHARE", "0.25"))
if not 0 < NOTICE_REQUEST_SHARE < 1:
    raise ImproperlyConfigured("ENTENTE_NOTICE_REQUEST_SHARE must be between 0 and 1")
# Days before a commitment's due date at which its party is told (each once).
NOTICE_COMMITMENT_DAYS = [int(days) for days in env_list("NOTICE_COMMITMENT_DAYS") or ["7", "1"]]
# Days before an agreement's expiry at which its parties are told.
NOTICE_AGREEMENT_DAYS = int(env("NOTICE_AGREEMENT_DAYS", "60"))
# Days before a followed meeting or training starts at which its followers are told.
NOTICE_EVENT_DAYS = int(env("NOTICE_EVENT_DAYS", "2"))
# Above this marking an e-mail carries only a reference and a link, never the title.
EMAIL_MAX_MARKING = env("EMAIL_MAX_MARKING", "TLP:GREEN")
# Seconds between the reminder runs `entente serve` makes by itself (0: none).
REMIND_INTERVAL = int(env("REMIND_INTERVAL", "300"))
# A password reset link works once, and for an hour (Django's default is three days).
PASSWORD_RESET_TIMEOUT = 60 * 60

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# The address the site is reached at, for links made outside a request (notice e-mails,
# the `entente calendar` command); pages and feeds use the address they were asked at.
SITE_URL = env("SITE_URL", "http://localhost:8000").rstrip("/")

# Requests a minute per API token, per user and per client address (0: no limit).
API_RATE_LIMIT = int(env("API_RATE_LIMIT", "600"))

# Spreadsheets uploaded for an import, kept between its steps (mapping, dry run,
# confirmation) and removed once imported; private, never served.
IMPORTS_DIR = DATA_DIR / "imports"
