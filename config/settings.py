"""Settings for the plan-progress portal, read from the environment.

Every variable is documented in `.env.example`. Nothing exists only in production: a development
checkout differs only by its git-ignored `.env` (written by `make run`, DJANGO_DEBUG=1) and the
defaults below (SQLite, a development key when DEBUG is on).
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_file_load(path: Path) -> None:
    """Fill variables the environment lacks from `KEY=value` lines of a local file, if there is one.

    The environment always wins, so `make test` (DJANGO_DEBUG=0) and a production process manager
    are never overridden by a developer's `.env`. Blank lines and `#` comments are skipped.
    """
    if not path.is_file():
        return
    for line in path.read_text(encoding="utf-8").splitlines():
        name, equals, value = line.partition("=")
        name = name.strip()
        if equals and name and not name.startswith("#"):
            os.environ.setdefault(name, value.strip())


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


env_file_load(BASE_DIR / ".env")

DEBUG = envbool("DJANGO_DEBUG", False)

# Without a key and with DEBUG off, the key stays empty: commands that sign nothing (migrations,
# checks) still run, anything that signs fails with Django's own error, and the WSGI entry point
# (`config/wsgi.py`) refuses to serve at start-up.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY and DEBUG:
    # A development-only key: DEBUG is on, so the server is not public.
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "config.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "import_export",
    "simple_history",
    "axes",
    "core",
    "strategy",
    "measures",
    "projects",
    "evaluation",
    "reports",
]

MIDDLEWARE = [
    # First, so every log line of a request, its error page and its response carry its id.
    "core.middleware.RequestIdMiddleware",
    # Next, so its time covers everything else and its log line carries the request's id.
    "core.middleware.SlowRequestMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.ContentSecurityPolicyMiddleware",
    # Static files (plotly.js included) with hashed names and long cache headers, before sessions.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Right after it: Japanese unless switched, and English on the public pages only.
    "core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before anything reads a parameter: a NUL in a query string or a form was a 500 on PostgreSQL.
    "core.middleware.ControlCharacterMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After authentication (it reads the user) and messages (it says why it logged the user out).
    "core.middleware.SessionAbsoluteAgeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks, so it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
            ],
        },
    },
]


def database_config(url: str, conn_max_age: int) -> dict:
    """The database settings for a DATABASE_URL.

    Persistent connections (issue 11 measured 1.1-2x the throughput of a new one per request),
    checked before reuse so a restarted database costs no request an error.

    SQLite (the quick start's default) lets one writer in at a time, so two people saving at once
    must queue instead of failing with "database is locked": WAL lets readers go on while one
    writes, the busy timeout makes a writer wait for the lock (20 s, far above any save), and
    immediate transactions take the write lock when the transaction begins. Without the last, two
    saves that both read first (every entry save checks the record's version) each hold a read
    lock and wait for the other's, and SQLite fails one of them at once, timeout or not.
    """
    config = dj_database_url.parse(url, conn_max_age=conn_max_age, conn_health_checks=True)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL",
            **config.get("OPTIONS", {}),
        }
    return config


DATABASES = {
    "default": database_config(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=envint("DATABASE_CONN_MAX_AGE", 0 if DEBUG else 60),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # django-axes first, so a locked-out login is refused before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "core.backends.PortalBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"

# Login throttling (core.throttling): five failures lock the username from that address for
# 30 minutes, never from elsewhere; an address that fails AXES_ADDRESS_FAILURE_LIMIT times across
# usernames (password spraying) is refused for every username for as long.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_ADDRESS_FAILURE_LIMIT = envint("AXES_ADDRESS_FAILURE_LIMIT", 30)
AXES_COOLOFF_TIME = 0.5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_HANDLER = "core.throttling.PortalAxesHandler"
AXES_CLIENT_IP_CALLABLE = "core.throttling.client_address"
# Proxies in front of the portal that append the client's address to X-Forwarded-For; 0 (no proxy)
# takes REMOTE_ADDR. More than there are lets clients forge their address; fewer gives every client
# the proxy's address, so one person's failures would lock everyone.
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0)

# Idle time-out (every request restarts it; staff are warned before it ends) and an absolute
# lifetime from login (core.middleware.SessionAbsoluteAgeMiddleware), 10 hours: a working day.
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 60 * 60)
SESSION_ABSOLUTE_AGE = envint("SESSION_ABSOLUTE_AGE", 10 * 60 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG

# HTTPS. Behind a proxy that terminates TLS, SECURE_PROXY_SSL_HEADER names the header by which it
# says a request came over HTTPS (e.g. X-Forwarded-Proto: https; the proxy must set it on every
# request, overwriting the client's). It turns on the redirect to HTTPS and HSTS (a year, the host's
# subdomains included) unless SECURE_SSL_REDIRECT / SECURE_HSTS_SECONDS say otherwise. Without it
# Django cannot tell HTTPS from HTTP behind the proxy, so both stay off (a redirect would loop).
_tls_proxy_header = os.environ.get("SECURE_PROXY_SSL_HEADER", "").strip()
if _tls_proxy_header:
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _tls_proxy_header.upper().replace("-", "_"), "https")
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", bool(_tls_proxy_header))
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 365 * 24 * 60 * 60 if _tls_proxy_header else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", False)
# The load balancer's health check speaks plain HTTP to the server; never redirect it to HTTPS.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SILENCED_SYSTEM_CHECKS = [
    # "SECURE_HSTS_PRELOAD is not True": only the owner of the city's registered domain can submit
    # it to the browsers' preload list, and the header's preload flag means nothing without that.
    "security.W021",
]

# Content-Security-Policy (core.middleware), on every page and the admin: scripts only from the
# portal's own files (no inline script, no eval), nothing framed, forms posted only to the portal.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("日本語")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The pages offered in English (patterns of the path without its leading slash): the public home,
# the plan and its progress, and the open data. Staff pages stay Japanese (core.middleware).
ENGLISH_PAGES = [r"$", r"plan/", r"open-data/"]
FIXTURE_DIRS = [BASE_DIR / "fixtures"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
# Hashed file names and far-future cache headers, served by WhiteNoise. On for `make serve`; off by
# default because the manifest exists only after `collectstatic` (tests and runserver have none).
STATIC_MANIFEST = envbool("STATIC_MANIFEST", False)
# Files browsers ask for at the site's root (favicon.ico), served by WhiteNoise: without it every
# page's first visit logged a 404 in the browser's console.
WHITENOISE_ROOT = BASE_DIR / "site_root"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "ict-portal@example.invalid")
# The address staff reach the portal at, for links in e-mails.
PORTAL_BASE_URL = os.environ.get("PORTAL_BASE_URL", "http://127.0.0.1:8000")

# History is for reading: reverting would bypass the workflow's services.
SIMPLE_HISTORY_REVERT_DISABLED = True

# Where an import's file waits between its preview and its confirmation (django-import-export's
# temporary storage, for the results sheet and the master data alike). The server's temporary
# directory suits one machine; behind a load balancer, use a storage every machine reads.
IMPORT_EXPORT_TMP_STORAGE_CLASS = os.environ.get(
    "IMPORT_EXPORT_TMP_STORAGE_CLASS", "import_export.tmp_storages.TempFolderStorage"
)

# Every log line to stderr (the process manager keeps it) with the request's id; an unhandled
# exception leaves its traceback there (django.request logs it at ERROR). Mail to ADMINS is
# Django's default handler, active only when ADMINS is set.
ADMINS = [("", address) for address in envlist("ADMINS", "")]
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
EMAIL_SUBJECT_PREFIX = "[ICT総合戦略ポータル] "
# A request that took this long or longer is logged with its time (core.middleware).
SLOW_REQUEST_MS = envint("SLOW_REQUEST_MS", 1000)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "core.logging.RequestIdFilter"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["request_id"], "formatter": "plain"},
        # The mail's first line is the log line, with the request id the error page showed.
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false", "request_id"],
            "formatter": "plain",
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": ["mail_admins"], "level": "INFO"},
    },
}
