"""Seuranta's settings, read from the environment.

Every default is the safe one for production, except the database: with no
DATABASE_URL it runs on SQLite. `manage.py` turns DEBUG on for development;
production sets SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL (see README).
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_HASHES, UNSAFE_INLINE
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def envint(name, default):
    value = os.environ.get(name)
    return default if value is None else int(value)


def envlist(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = envbool("DEBUG", False)
# Without SECRET_KEY, a key that is fine for development and tests only; the
# check in seuranta/checks.py stops a server with DEBUG off from starting with it.
DEVELOPMENT_SECRET_KEY = "django-insecure-seuranta-development-only"  # noqa: S105
SECRET_KEY = os.environ.get("SECRET_KEY") or DEVELOPMENT_SECRET_KEY

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "seuranta.apps.AdminConfig",  # the admin, with two-factor login: seuranta/admin.py
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "import_export",
    "django_tables2",
    "django_filters",
    "simple_history",
    "rules.apps.AutodiscoverRulesConfig",
    "seuranta.apps.AxesConfig",
    "csp",
    "django_otp",
    "seuranta.apps.AuthenticatorAppsConfig",
    "seuranta.apps.OneTimeCodesConfig",
    "seuranta",
    "goals",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before whitenoise, so that static files carry the policies too.
    "csp.middleware.CSPMiddleware",
    "seuranta.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session passed the second factor.
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "seuranta.urls"

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
                "reports.views.identity.identity",
            ],
        },
    },
]

WSGI_APPLICATION = "seuranta.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # First, so that a locked-out login is refused before any password is checked.
    "seuranta.security.LoginAttemptBackend",
    "rules.permissions.ObjectPermissionBackend",  # who may edit which entry: reports/rules.py
    "django.contrib.auth.backends.ModelBackend",
]
# History is for reading: reverting an entry would also revert its workflow state and
# its published version.
SIMPLE_HISTORY_REVERT_DISABLED = True

# The name an authenticator app shows for Seuranta's codes (two-factor login, seuranta/admin.py).
OTP_TOTP_ISSUER = "Seuranta"

LOGIN_URL = "staff:login"
LOGIN_REDIRECT_URL = "staff:home"
LOGOUT_REDIRECT_URL = "reports:home"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login throttling (django-axes), on both the staff and the admin login. Failures are
# counted per username *and* address, so guessing one person's password locks out only
# that person from that address, never a whole office behind one NAT address.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=envint("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True  # a few typos before a good login are not carried forward
AXES_LOCKOUT_CALLABLE = "seuranta.security.lockout_response"
AXES_CLIENT_IP_CALLABLE = "seuranta.security.client_ip"
# How many proxies of ours in front of the app append to X-Forwarded-For. With 0 the
# header is ignored (a client can write anything in it) and the address is the peer's,
# which behind a proxy is the proxy's: set 1 behind one TLS-terminating proxy.
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0)

# Password reset requests (reports/reset_limit.py): reset mails per email address and
# requests per client address, in a window of this many minutes, counted in the cache.
PASSWORD_RESET_LIMIT_PER_ADDRESS = envint("PASSWORD_RESET_LIMIT_PER_ADDRESS", 3)
PASSWORD_RESET_LIMIT_PER_IP = envint("PASSWORD_RESET_LIMIT_PER_IP", 10)
PASSWORD_RESET_LIMIT_WINDOW_MINUTES = envint("PASSWORD_RESET_LIMIT_WINDOW_MINUTES", 60)

# Sessions end after this many seconds without a request, and when the browser closes.
SESSION_IDLE_TIMEOUT = envint("SESSION_IDLE_TIMEOUT", 30 * 60)
SESSION_COOKIE_AGE = SESSION_IDLE_TIMEOUT
SESSION_SAVE_EVERY_REQUEST = True  # each request of a logged-in user restarts the clock
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Finnish first; Swedish and English for the user interface.
LANGUAGE_CODE = "fi"
LANGUAGES = [("fi", _("Finnish")), ("sv", _("Swedish")), ("en", _("English"))]
# English dates as written in Finland, not in the United States (seuranta/formats/en).
FORMAT_MODULE_PATH = ["seuranta.formats"]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Helsinki"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Public pages are cached until the next publishing (reports/views/public.py): in each
# process's memory by default, shared in Redis when REDIS_URL is set (docker-compose).
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if (REDIS_URL := os.environ.get("REDIS_URL"))
        else {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    )
}

# The longest status text or main risks an entry may hold. The staff form, the admin,
# the importer (as an anomaly) and a database constraint enforce it; changing it needs
# a migration (makemigrations notices).
ENTRY_TEXT_LIMIT = 4000

# Exporting entries from the admin needs the view permission of progress entries
# (django-import-export lets any admin login export otherwise).
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"

# Legacy files of up to a few megabytes are uploaded through the admin.
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "seuranta@localhost")
# Where residents send accessibility feedback (shown in the accessibility statement).
FEEDBACK_EMAIL = os.environ.get("FEEDBACK_EMAIL", DEFAULT_FROM_EMAIL)
# The language the municipality writes its goals and status texts in: the public pages in
# the other languages mark those texts as written in it.
CONTENT_LANGUAGE = os.environ.get("CONTENT_LANGUAGE", "fi")
# Who publishes the data: named as its source in the open data and the feed, and on every
# public page. Defaults of the site identity that officials edit in the admin
# (reports.models.SiteIdentity); the demo's are Tuusula's.
MUNICIPALITY_NAME = os.environ.get("MUNICIPALITY_NAME", "Tuusula")
MUNICIPALITY_NAME_SV = os.environ.get("MUNICIPALITY_NAME_SV", "Tusby")
MUNICIPALITY_NAME_EN = os.environ.get("MUNICIPALITY_NAME_EN", "")
SITE_COLOUR = os.environ.get("SITE_COLOUR", "#00437a")
SITE_CONTACT_EMAIL = os.environ.get("SITE_CONTACT_EMAIL", "kirjaamo@tuusula.fi")
SITE_CONTACT_PHONE = os.environ.get("SITE_CONTACT_PHONE", "")
SITE_CONTACT_ADDRESS = os.environ.get("SITE_CONTACT_ADDRESS", "Hyrylänkatu 14, 04300 Tuusula")
SITE_WEBSITE = os.environ.get("SITE_WEBSITE", "https://www.tuusula.fi")
# A published period's council report (PDF) is laid out while the request waits up to
# this many entries; a larger one in the background (reports/council_report.py).
COUNCIL_REPORT_SYNC_ENTRIES = envint("COUNCIL_REPORT_SYNC_ENTRIES", 300)
# The site's address as its users reach it: the links in email notices (reports/notices.py)
# are built on it, since a notice is sent without a request to take the host from.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Production hardening; all on unless DEBUG. Behind a TLS-terminating proxy set
# BEHIND_TLS_PROXY=1 to trust its X-Forwarded-Proto header (see README).
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", False)
# Preloading HSTS binds the municipality's whole domain, so it is the domain
# owner's decision (SECURE_HSTS_PRELOAD=1), not a default of this app.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Scripts, styles, images and forms only from the site itself; no plugins, no framing.
# Style attributes stay allowed: the public pages draw their bars with style="width: …".
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        # django-import-export's export form has one inline handler, the "Select all"
        # toggle's onchange="onSelectToggleChange(event)"; its sha256 allows exactly that
        # handler and no other inline script.
        "script-src-attr": [UNSAFE_HASHES, "'sha256-wid4zL8fR53ZYy1ljOepzR77Dn6vWUUxuNnnWWBP3I8='"],
        "style-src": [SELF],
        "style-src-elem": [SELF],
        "style-src-attr": [UNSAFE_INLINE],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Browser features the site never uses are denied to it and to anything it might embed.
PERMISSIONS_POLICY_DENIED = [
    "accelerometer",
    "browsing-topics",
    "camera",
    "display-capture",
    "geolocation",
    "gyroscope",
    "hid",
    "idle-detection",
    "interest-cohort",  # FLoC, the forerunner of browsing-topics
    "magnetometer",
    "microphone",
    "midi",
    "payment",
    "screen-wake-lock",
    "serial",
    "usb",
    "xr-spatial-tracking",
]
if envbool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"one_line_warning": {"()": "seuranta.logging.OneLineWarning"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Logins, failed logins, logouts and exports, one line each (seuranta/security.py);
        # kept at INFO whatever LOG_LEVEL says.
        "seuranta.security": {"level": "INFO"},
        # django-axes: its lockouts (WARNING), not its chatter about every attempt.
        "axes": {"level": "WARNING"},
        # WeasyPrint, laying out the council report's PDF: its problems, not its steps.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # Scanners send floods of requests for other host names: one line each, not a
        # traceback and not an error mailed to anyone.
        "django.security.DisallowedHost": {"filters": ["one_line_warning"]},
    },
}
