"""Settings for the consultation app, driven by environment variables (see README)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from clinic.lib.env import env_bool, env_choice, env_int, env_list, env_set, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DJANGO_DEBUG", False)
_DEV_SECRET = "insecure-dev-only-secret-do-not-use-in-production"
_MAKE_SECRET = "generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
SECRET_KEY = env_str("DJANGO_SECRET_KEY", _DEV_SECRET if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured(f"DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off ({_MAKE_SECRET}).")
if not DEBUG:
    # The same rule as `check --deploy` (security.W009), but refusing to start instead of warning.
    if SECRET_KEY == _DEV_SECRET:
        raise ImproperlyConfigured(
            f"DJANGO_SECRET_KEY is the development default; set a real secret ({_MAKE_SECRET})."
        )
    if SECRET_KEY.startswith("django-insecure-"):
        raise ImproperlyConfigured(
            f"DJANGO_SECRET_KEY is a 'django-insecure-' key made for development; set a real secret ({_MAKE_SECRET})."
        )
    if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is too weak: it needs at least 50 characters and 5 different ones "
            f"({_MAKE_SECRET})."
        )

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])
# Behind a TLS-terminating proxy (gunicorn bound to 127.0.0.1), REMOTE_ADDR is the proxy: the client
# is the right-most X-Forwarded-For entry, the one the proxy appended (consult/audit.py client_ip).
BEHIND_PROXY = env_bool("DJANGO_BEHIND_PROXY", False)

INSTALLED_APPS = [
    "modeltranslation",  # must precede django.contrib.admin
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    # Two-factor sign-in: TOTP (authenticator apps) and static recovery codes (consult/two_factor.py).
    "django_tasks",
    "django_tasks_db",  # the render queue's table (RENDER_BACKEND=queue)
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_htmx",
    "template_partials",
    "catalog",
    "consult",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "clinic.lib.security.StripControlCharactersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "consult.auth.SessionRefreshMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # After the locale (its message is translated), before anything reads a form.
    "clinic.lib.security.RefuseNonUtf8Middleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified(): the second factor passed
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "clinic.lib.security.SecurityHeadersMiddleware",
    "clinic.lib.security.HtmxLoginRedirectMiddleware",
    # Until the second factor is passed (or set up, where the policy requires one), nothing else.
    "consult.two_factor.SecondFactorMiddleware",
]

ROOT_URLCONF = "clinic.urls"
WSGI_APPLICATION = "clinic.wsgi.application"

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

_default_db = f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
try:
    DATABASES = {"default": dj_database_url.parse(env_str("DATABASE_URL", _default_db) or _default_db)}
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from None
DATABASES["default"]["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 0, minimum=0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let a counselor's save wait for another writer instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # Tests use a file too (not shared-cache memory), so concurrent saves lock as in production.
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"clinic-test-{os.getpid()}.sqlite3")
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Django's model backend, plus permissions on a clinic's objects from the role held at that clinic.
# catalog.roles.ClinicRoleBackend, remembering the role at a clinic for the request (consult/auth.py).
AUTHENTICATION_BACKENDS = ["consult.auth.ClinicRoleBackend"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login throttling: failures per account and per address within a window lock that account or
# address for the rest of the window only, so nobody can lock a clinic out for good.
LOGIN_FAILURE_WINDOW_MINUTES = env_int("LOGIN_FAILURE_WINDOW_MINUTES", 15, minimum=1)
LOGIN_MAX_FAILURES_PER_USER = env_int("LOGIN_MAX_FAILURES_PER_USER", 5, minimum=1)
LOGIN_MAX_FAILURES_PER_ADDRESS = env_int("LOGIN_MAX_FAILURES_PER_ADDRESS", 20, minimum=1)
# 403s and 404s on consultations, documents and the audit log are audited (consult/access.py), at
# most this many per user and address in the window, so nobody can flood the trail.
REFUSALS_AUDITED_PER_WINDOW = env_int("REFUSALS_AUDITED_PER_WINDOW", 20, minimum=1)
REFUSALS_WINDOW_MINUTES = env_int("REFUSALS_WINDOW_MINUTES", 10, minimum=1)

# Two-factor sign-in is required for these roles (at any clinic; superusers always), or for "all".
# Production default: everyone. DEBUG default: physicians and clinic admins, so the demo counselor
# can try the app with a password alone.
MFA_ROLES = ("counselor", "physician", "clinic-admin")
MFA_REQUIRED_FOR = env_set(
    "DJANGO_MFA_REQUIRED_FOR",
    frozenset({"physician", "clinic-admin"}) if DEBUG else frozenset({"all"}),
    MFA_ROLES,
    everything="all",
)
OTP_TOTP_ISSUER = "Skin consultation"

LOGIN_URL = "login"
LOGIN_URL_PATH = "/accounts/login/"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
MODELTRANSLATION_DEFAULT_LANGUAGE = "ja"
MODELTRANSLATION_LANGUAGES = ("ja", "en")
MODELTRANSLATION_FALLBACK_LANGUAGES = ("ja",)
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Sessions: consultation laptops are shared, so an idle session ends.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 30, minimum=1) * 60
# django-modeltranslation's admin tabs need jQuery UI; its default is a CDN, which our CSP blocks
# (script-src 'self'). A vendored copy (npm jquery-ui 1.14.2, MIT) is served as a static file.
JQUERY_UI_URL = "vendor/jquery-ui/jquery-ui.min.js"
# How long the link in a handout's QR code opens that handout on the patient's phone.
DOCUMENT_LINK_DAYS = env_int("DOCUMENT_LINK_DAYS", 7, minimum=1)
# An idle session ends SESSION_COOKIE_AGE after the last request: the session row's end is pushed on
# at most once a minute (consult.auth.SessionRefreshMiddleware), not rewritten on every request.
SESSION_REFRESH_SECONDS = env_int("SESSION_REFRESH_SECONDS", 60, minimum=1)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Production hardening (on unless DEBUG).
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 0 if DEBUG else 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LOG_LEVEL = env_choice("DJANGO_LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # A query string can hold a chart number (the consultation search): none reaches the log.
    "filters": {
        "no_query_strings": {"()": "clinic.lib.security.RedactQueryStrings"},
        # A 403 or 404 raised on purpose keeps its one warning line, without a traceback.
        "expected_refusals": {"()": "clinic.lib.security.ExpectedRefusals"},
    },
    "formatters": {
        "server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["no_query_strings", "expected_refusals"]},
        "server": {
            "class": "logging.StreamHandler",
            "filters": ["no_query_strings", "expected_refusals"],
            "formatter": "server",
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Django's own records go through the redacting handler once (Django's defaults would add a
        # second, unfiltered console handler, and would e-mail request details to ADMINS).
        "django": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        # runserver's request lines ("GET /consultations/?q=… HTTP/1.1" 200), redacted.
        "django.server": {"handlers": ["server"], "level": LOG_LEVEL, "propagate": False},
        # WeasyPrint reports every rendering step at INFO; only its warnings matter here.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# Rendering documents outside the request threads (consult/documents/rendering.py, docs/deploy.md).
# "pool": a process pool in each app-server process (one server); "queue": django-tasks' database
# backend, rendered by `manage.py db_worker` processes (several app servers).
RENDER_BACKEND = env_str("RENDER_BACKEND", "pool")
if RENDER_BACKEND not in ("pool", "queue"):
    raise ImproperlyConfigured("RENDER_BACKEND must be 'pool' or 'queue'.")
RENDER_WORKERS = env_int("RENDER_WORKERS", 1, minimum=1)  # pool processes per app-server process
RENDER_TASKS_PER_WORKER = env_int("RENDER_TASKS_PER_WORKER", 0, minimum=0)  # 0: never replaced
# How long the "Print handout" request waits for its PDF before the page shows "preparing…" and polls.
RENDER_WAIT_SECONDS = env_int("RENDER_WAIT_MS", 3000, minimum=0) / 1000
# Render ahead (issue 13, target 2): once the physician signed off a consultation, its handout is
# rendered in the background and kept here, so "Print handout" stores bytes already made
# (consult/documents/rendering.py `prepare`). On by default only with a shared cache (below): with
# each process's own memory, a click that reaches another gunicorn process than the sign-off renders
# the handout a second time, and under 20 counselors on 4 processes those extra renders tripled
# issue-to-PDF p95 (docs/benchmarks.md). RENDER_AHEAD=1 turns it on for one app process (`make run`),
# RENDER_AHEAD=0 off everywhere.
# Where prepared renders wait (a PDF of ~300 KB each, for a day at most). Local memory by default:
# right for one app server with the render pool. Several app servers, or the queue back-end (its
# db_worker renders in another process), need a cache they share: RENDER_AHEAD_CACHE_URL=db (Django's
# DatabaseCache; run `manage.py createcachetable`) or redis://host:6379/1 (Django's RedisCache).
LOCAL_MEMORY_CACHE = "django.core.cache.backends.locmem.LocMemCache"
_ahead_cache = env_str("RENDER_AHEAD_CACHE_URL", "")
if _ahead_cache == "" or _ahead_cache.startswith("locmem"):
    _ahead_backend = {"BACKEND": LOCAL_MEMORY_CACHE, "LOCATION": "prepared"}
    # At most ~100 prepared handouts (~30 MB) per app process.
    _ahead_backend["OPTIONS"] = {"MAX_ENTRIES": 100}
elif _ahead_cache == "db":
    _ahead_backend = {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "prepared_documents",
    }
elif _ahead_cache.startswith(("redis://", "rediss://")):
    _ahead_backend = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _ahead_cache}
else:
    raise ImproperlyConfigured("RENDER_AHEAD_CACHE_URL must be empty, 'db' or a redis:// URL.")
RENDER_AHEAD = env_bool("RENDER_AHEAD", _ahead_backend["BACKEND"] != LOCAL_MEMORY_CACHE)
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "prepared": {**_ahead_backend, "TIMEOUT": 24 * 3600},  # issue checks the date; a day at most
}
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend"
        if RENDER_BACKEND == "queue"
        else "django_tasks.backends.immediate.ImmediateBackend"
    }
}
