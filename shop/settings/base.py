"""Settings shared by every environment; everything that differs comes from the environment.

With no DATABASE_URL and no REDIS_URL the shop runs on SQLite and the local-memory cache (the
embedded default for trying it out). With them it runs on PostgreSQL (Django's native pool) and
Redis (django-redis), as in production and in every test run.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP
from psycopg_pool import ConnectionPool

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY", "insecure-dev-key-change-me-" + "x" * 40)
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "django_htmx",
    "django_prose_editor",
    "axes",
    "django_tasks_db",
    "apps.core",
    "apps.accounts",
    "apps.catalog",
    "apps.cart",
    "apps.checkout",
    "apps.wishlist",
    "apps.layout",
    "apps.pages",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Compresses what every middleware below and the view wrote (HTML, htmx fragments, JSON) when
    # the client accepts gzip; static files were answered above by whitenoise's own .gz copies.
    # BREACH: Django pads each gzip stream with random bytes and masks the CSRF token per
    # response, so a secret's compressed length tells an observer nothing.
    "django.middleware.gzip.GZipMiddleware",
    # Answers warm anonymous pages from the page cache before the layers below and the URL
    # resolver, running the request/response phases of those that touch such a page.
    "apps.core.frontdoor.PageCacheFrontDoor",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "apps.accounts.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "apps.core.middleware.HtmxMessagesMiddleware",
    "apps.core.middleware.DatabaseUnavailableMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "shop.urls"
WSGI_APPLICATION = "shop.wsgi.application"
ASGI_APPLICATION = "shop.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "apps.core.context_processors.shop",
                "apps.core.context_processors.csrf",
                "apps.wishlist.context_processors.wishlist",
                "apps.cart.context_processors.cart_badge",
            ],
            "builtins": ["apps.core.templatetags.money"],
        },
    }
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", "")
STATEMENT_TIMEOUT_MS = int(os.environ.get("STATEMENT_TIMEOUT_MS", "5000"))


PREPARED = env_bool("DB_PREPARED_STATEMENTS", True)


def database_from_url(url: str) -> dict:
    """PostgreSQL with Django's native psycopg pool and a statement timeout; SQLite otherwise."""
    if not url:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
        }
    config = dj_database_url.parse(url, conn_max_age=0)
    if config["ENGINE"] == "django.db.backends.postgresql":
        config["CONN_MAX_AGE"] = 0  # the pool keeps connections; Django must not as well
        config["OPTIONS"] = {
            # JIT off: the shop's queries are short, and compiling one cost up to 1 s at
            # 100,000 products (bench-scale) for no gain.
            "options": f"-c statement_timeout={STATEMENT_TIMEOUT_MS} -c jit=off",
            # Parameters bound by the server, so a statement's text is the same on every run
            # and psycopg prepares it on its 5th run on a connection (the pool keeps them):
            # PostgreSQL then skips parsing and planning, which for the shop's short queries
            # is most of their time (the add-to-cart statements: 0.61 -> 0.23 ms). Off with
            # DB_PREPARED_STATEMENTS=false (e.g. behind a transaction-pooling PgBouncer).
            "server_side_binding": PREPARED,
            "prepare_threshold": 5 if PREPARED else None,
            "pool": {
                # Checked on checkout, so a connection PostgreSQL dropped is replaced, not used.
                "check": ConnectionPool.check_connection,
                "min_size": int(os.environ.get("DB_POOL_MIN", "1")),
                "max_size": int(os.environ.get("DB_POOL_MAX", "10")),
                "timeout": float(os.environ.get("DB_POOL_TIMEOUT", "10")),
            },
        }
        if not env_bool("DB_POOL", True):
            del config["OPTIONS"]["pool"]
    return config


DATABASES = {"default": database_from_url(DATABASE_URL)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and sessions ---------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
# A hung Redis costs one short timeout per interval and process (apps.core.redis), not one per
# request: calls fail fast while the circuit breaker is open.
REDIS_TIMEOUT = float(os.environ.get("REDIS_TIMEOUT", "0.25"))
REDIS_BREAKER_INTERVAL = float(os.environ.get("REDIS_BREAKER_INTERVAL", "5"))
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "hypershop"),
            "OPTIONS": {
                "CLIENT_CLASS": "apps.core.redis.BreakerClient",
                # A Redis outage degrades the shop (cache misses) instead of failing requests.
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": REDIS_TIMEOUT,
                "SOCKET_TIMEOUT": REDIS_TIMEOUT,
                # No silent retries: one timeout, then the breaker decides.
                "CONNECTION_POOL_KWARGS": {"retry": None},
            },
        }
    }
    DJANGO_REDIS_IGNORE_EXCEPTIONS = True
    # The breaker logs one line per outage; django-redis would log a traceback per call.
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = False
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Sessions live in PostgreSQL only: a login, a logout or a checkout step is one committed row,
# so a Redis stall can neither resurrect a logged-out session nor roll a step back (a cache in
# front of them would have to be invalidated through the very Redis that is stalled).
# The engine is Django's db backend with a `user` column joined on load
# (apps.accounts.sessions), so a signed-in request reads session and user in one query.
SESSION_ENGINE = "apps.accounts.sessions"

# --- Auth -----------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Login rate limiting (django-axes, apps.accounts.axes): lock an (username, IP) pair after
# AXES_FAILURE_LIMIT failures, and an IP address after AXES_IP_FAILURE_LIMIT failures over all
# usernames (password spraying), both for the cool-off time.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_IP_FAILURE_LIMIT = int(os.environ.get("AXES_IP_FAILURE_LIMIT", "20"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "apps.accounts.axes.ShopAxesHandler"
AXES_USERNAME_CALLABLE = "apps.accounts.axes.username"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# --- I18N -----------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
SHOP_CURRENCY = os.environ.get("SHOP_CURRENCY", "EUR")
SHOP_NAME = "Hypershop"

# --- Static and media -----------------------------------------------------------------------
STATIC_URL = "/static/"
# collectstatic writes here; docker-compose.yml has nginx serve it (and MEDIA_ROOT) from volumes.
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- Background tasks ---------------------------------------------------------------------
# django.tasks on django-tasks-db: tasks are rows in the shop's own database, run by
# `manage.py worker` (apps.core.tasks adds retries and periodic jobs).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
TASKS_RETRY_BASE_DELAY = float(os.environ.get("TASKS_RETRY_BASE_DELAY", "30"))
# Links in e-mails are absolute URLs on this origin, never the request's host.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# --- Payments -------------------------------------------------------------------------------
# The gateway class (apps.checkout.payments.PaymentGateway); the test gateway needs no network.
PAYMENT_GATEWAY = os.environ.get("PAYMENT_GATEWAY", "apps.checkout.payments.TestGateway")
# Webhooks are signed with this shared secret (HMAC-SHA256 of the body).
PAYMENT_WEBHOOK_SECRET = os.environ.get("PAYMENT_WEBHOOK_SECRET", "dev-webhook-secret")
# Orders awaiting payment are looked up with the gateway after this long, cancelled only when the
# gateway says the payment did not succeed and they are older than PAYMENT_EXPIRY_MINUTES.
PAYMENT_RECONCILE_AFTER_MINUTES = int(os.environ.get("PAYMENT_RECONCILE_AFTER_MINUTES", "5"))
PAYMENT_EXPIRY_MINUTES = int(os.environ.get("PAYMENT_EXPIRY_MINUTES", "30"))

# --- Email ----------------------------------------------------------------------------------
# Django 6.1's MAILERS (EMAIL_BACKEND and friends are deprecated). Console output by default;
# set EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and EMAIL_HOST/EMAIL_PORT for SMTP.
_mailer: dict = {
    "BACKEND": os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
}
if os.environ.get("EMAIL_HOST"):
    _mailer["OPTIONS"] = {
        "host": os.environ["EMAIL_HOST"],
        "port": int(os.environ.get("EMAIL_PORT", "587")),
        "username": os.environ.get("EMAIL_HOST_USER", ""),
        "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("EMAIL_USE_TLS", True),
    }
MAILERS = {"default": _mailer}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "shop@hypershop.example")

# --- Security headers (every environment) --------------------------------------------------
# htmx runs with eval, inline scripts and indicator styles switched off (see base.html), so the
# policy needs neither 'unsafe-inline' nor 'unsafe-eval' for scripts.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
