"""Settings for Awareness, read from the environment.

Nothing needs to be set to try the app: without DATABASE_URL it uses an SQLite
file in the project, and `make run` turns DEBUG on. A deployment sets
SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL and SITE_URL.
"""

import os
from datetime import date, timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


DEBUG = env_bool("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    # Only for a local debug run; never used by a deployment.
    SECRET_KEY = "insecure-debug-only-key-do-not-deploy-0123456789abcdefghijklmnop"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# Absolute address of the site, used where a link must work outside a request:
# the QR code and verify link printed on certificates.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# The public certificate lookup answers 429 beyond this many uses a minute
# from one address. Behind a proxy, name the header it sets with the
# visitor's address (e.g. HTTP_X_FORWARDED_FOR); only if the proxy sets it.
VERIFY_LOOKUPS_PER_MINUTE = env_int("VERIFY_LOOKUPS_PER_MINUTE", 20)
CLIENT_ADDRESS_HEADER = os.environ.get("CLIENT_ADDRESS_HEADER", "")
# The organisation named on certificates, in English and in Chinese.
ISSUING_ORGANISATION = {
    "en": os.environ.get("ISSUING_ORGANISATION", "Confidentiality Office"),
    "zh-hans": os.environ.get("ISSUING_ORGANISATION_ZH_HANS", "保密办公室"),
}

INSTALLED_APPS = [
    # Before the admin, so the admin's forms see the translated fields.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "adminsortable2",
    "django_htmx",
    "template_partials",
    "csp",
    "django_tasks",
    "django_tasks_db",
    # Sign-in lockout (after the admin, whose pages it adds to).
    "axes",
    # Who changed what and when, in the admin's history (see each app's
    # translation.py for where the models are registered).
    "simple_history",
    "cases",
    "lessons",
    "completion",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "awareness.middleware.SessionLimitsMiddleware",
    # Every page needs a signed-in user unless its view says otherwise
    # (sign-in, the public certificate check).
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "awareness.middleware.NoStoreMiddleware",
    # Who made each change recorded in the admin's history.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into its 429 page.
    "axes.middleware.AxesMiddleware",
]

# Checked in this order. The lockout comes first: it refuses a locked-out
# username and address before any backend checks a password. A directory
# backend (LDAP) goes after it, beside or instead of the database's.
ROOT_URLCONF = "awareness.urls"
WSGI_APPLICATION = "awareness.wsgi.application"

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

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several requests (and the task worker) write at once: wait for the lock
    # rather than failing, and take it at the start of each transaction.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL's JIT compiler spent seconds on each report query (their
    # status expressions are large), ten times what running them cost at
    # 10,000 people (bench/README.md, Reports): off for the app's sessions.
    # Options in DATABASE_URL (`?options=-c%20jit%3Don`) come after and win.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = f"-c jit=off {options.get('options', '')}".strip()
    # The statements each quiz answer runs bind their parameters at the
    # server (lessons.models._hot_cursor), so psycopg prepares them after
    # this many runs on a connection and the server stops planning them on
    # every request; the rest of the app's SQL binds on the client and is
    # never prepared. 0 turns it off: a pooler in transaction mode that
    # cannot keep prepared statements (PgBouncer before 1.21) needs that.
    prepare_threshold = env_int("DB_PREPARE_THRESHOLD", 5)
    options.setdefault("prepare_threshold", prepare_threshold or None)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sign-in with the organisation's directory (LDAP / Active Directory), on
# when AUTH_LDAP_SERVER_URI is set; local accounts keep working beside it.
# See completion/directory.py and the README's "Directory sign-in".
AUTH_LDAP_SERVER_URI = os.environ.get("AUTH_LDAP_SERVER_URI", "")
AUTH_LDAP_BIND_DN = os.environ.get("AUTH_LDAP_BIND_DN", "")
AUTH_LDAP_BIND_PASSWORD = os.environ.get("AUTH_LDAP_BIND_PASSWORD", "")
AUTH_LDAP_USER_SEARCH_BASE = os.environ.get("AUTH_LDAP_USER_SEARCH_BASE", "")
AUTH_LDAP_USER_FILTER = os.environ.get("AUTH_LDAP_USER_FILTER", "(uid=%(user)s)")
AUTH_LDAP_START_TLS = env_bool("AUTH_LDAP_START_TLS")
AUTH_LDAP_ATTR_FULL_NAME = os.environ.get("AUTH_LDAP_ATTR_FULL_NAME", "displayName")
AUTH_LDAP_ATTR_EMAIL = os.environ.get("AUTH_LDAP_ATTR_EMAIL", "mail")
AUTH_LDAP_ATTR_EMPLOYEE_NUMBER = os.environ.get("AUTH_LDAP_ATTR_EMPLOYEE_NUMBER", "employeeNumber")
AUTH_LDAP_ATTR_UNIT_CODE = os.environ.get("AUTH_LDAP_ATTR_UNIT_CODE", "departmentNumber")
# `sync_directory --units`: where the organisational units are, and which
# of their attributes hold a unit's code and name.
AUTH_LDAP_UNIT_SEARCH_BASE = os.environ.get("AUTH_LDAP_UNIT_SEARCH_BASE", "")
AUTH_LDAP_UNIT_ATTR_CODE = os.environ.get("AUTH_LDAP_UNIT_ATTR_CODE", "ou")
AUTH_LDAP_UNIT_ATTR_NAME = os.environ.get("AUTH_LDAP_UNIT_ATTR_NAME", "description")
# The directory is asked first; a local account (the superuser) signs in
# with its own password, also while the directory is down.
# The lockout is checked first (django-axes, below), then the directory,
# then local accounts.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    *(["completion.directory.DirectoryBackend"] if AUTH_LDAP_SERVER_URI else []),
    "django.contrib.auth.backends.ModelBackend",
]

# Sign-in lockout (django-axes, kept in the database): after
# AXES_FAILURE_LIMIT wrong passwords for one username from one address, that
# pair is refused on both sign-in pages for AXES_COOLOFF_MINUTES, counted from
# the last failure that locked it (trying again while locked does not move the
# end, so the time the page gives stays true). A successful sign-in clears the
# count; a superuser unlocks early by deleting the "access attempt" in the
# admin. The address is the one the public lookup counts (CLIENT_ADDRESS_HEADER).
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "awareness.addresses.client_address"
AXES_LOCKOUT_CALLABLE = "awareness.lockout.locked_out"
# A sign-in the directory could not check does not count (awareness/lockout.py).
AXES_HANDLER = "awareness.lockout.LockoutHandler"
# Every failure is kept (the last 1,000 per username) beside the counts, and
# logged as a warning with its username and address (never the password).
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_SENSITIVE_PARAMETERS: list[str] = []

# The audit trail: its pages are read only, and each model's history takes a
# permission of its own (the Trainers group has it for content only).
SIMPLE_HISTORY_REVERT_DISABLED = True
SIMPLE_HISTORY_ENFORCE_HISTORY_MODEL_PERMISSIONS = True

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Training content (cases, lessons, questions) is written in both languages;
# English is the one every field must have, and what an empty Chinese field
# falls back to (marked lang="en" on the page).
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
# One date format across the site: the locale's (awareness/formats/ for English).
FORMAT_MODULE_PATH = ["awareness.formats"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "media/"
STATIC_MANIFEST = env_bool("STATIC_MANIFEST", not DEBUG)
# Without collected files (`make run`, the tests) whitenoise serves from the apps.
WHITENOISE_USE_FINDERS = WHITENOISE_AUTOREFRESH = not STATIC_MANIFEST
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed, compressed files in production (needs collectstatic); plain
        # files for `make run` and the tests.
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Background jobs (Excel exports, bulk certificate printing, and the
# housekeeping on a schedule) run from the database queue: any app server
# enqueues, and `manage.py worker` picks them up.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Files of finished jobs are deleted, with their jobs, after this many days.
EXPORT_RETENTION_DAYS = env_int("EXPORT_RETENTION_DAYS", 7)
# An unfinished job with no progress for this long is marked failed.
JOB_STALL_MINUTES = env_int("JOB_STALL_MINUTES", 10)
# Unfinished jobs one person may have of each kind at once.
MAX_RUNNING_JOBS = env_int("MAX_RUNNING_JOBS", 3)
# What the worker runs on a clock: a task's dotted path → minutes apart
# (0 turns it off). See completion/schedule.py.
SCHEDULE = {
    "completion.tasks.housekeeping": env_int("HOUSEKEEPING_MINUTES", 60),
    # `sync_directory` on a clock: off unless asked for, and a directory is set.
    "completion.tasks.sync_directory": env_int("DIRECTORY_SYNC_MINUTES", 0)
    if AUTH_LDAP_SERVER_URI
    else 0,
    "completion.tasks.send_reminders": env_int("REMINDER_MINUTES", 60),
}

# Email: reminders and unit admins' digests (completion/reminders.py) go out
# through an SMTP server. Without EMAIL_HOST a debug run (`make run`) prints
# them on the console instead, so nothing needs setting to try them.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)  # seconds; an unreachable server fails the run
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "awareness@localhost")
if DEBUG and not EMAIL_HOST:
    # A debug run (`make run`) keeps each message as a file to open, rather
    # than printing hundreds of lines of MIME over the server's output.
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = BASE_DIR / "sent-mail"
else:
    EMAIL_HOST = EMAIL_HOST or "localhost"
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
# A learner is reminded this many days before a due date (each once), the
# day after it is missed, then every REMINDER_OVERDUE_EVERY_DAYS while
# overdue (0: only the day after). Unit admins get a weekly digest.
REMINDER_DAYS_BEFORE = env_list("REMINDER_DAYS_BEFORE", "7,1")
if not all(days.isdigit() for days in REMINDER_DAYS_BEFORE):
    raise ImproperlyConfigured(
        f"REMINDER_DAYS_BEFORE must be whole numbers of days, e.g. 7,1, not {REMINDER_DAYS_BEFORE}"
    )
REMINDER_DAYS_BEFORE = sorted({int(days) for days in REMINDER_DAYS_BEFORE}, reverse=True)
REMINDER_OVERDUE_EVERY_DAYS = env_int("REMINDER_OVERDUE_EVERY_DAYS", 7)
REMINDER_DIGESTS = env_bool("REMINDER_DIGESTS", True)
# People imported without a directory are emailed a link to set their
# password (completion/invitations.py): Django's password reset, whose links
# work once and for this many days.
INVITATION_VALID_DAYS = env_int("INVITATION_VALID_DAYS", 14)
PASSWORD_RESET_TIMEOUT = INVITATION_VALID_DAYS * 24 * 60 * 60

# Study hours (学时) are counted per study year: the calendar year unless
# STUDY_YEAR_START ("MM-DD") moves the day it begins on.
STUDY_YEAR_START = os.environ.get("STUDY_YEAR_START", "01-01")
try:
    _month, _day = (int(part) for part in STUDY_YEAR_START.split("-"))
    date(2001, _month, _day)  # a year without 29 February: every year has the day
except ValueError:
    raise ImproperlyConfigured(
        f"STUDY_YEAR_START must be a month and day such as 01-01 or 09-01, not {STUDY_YEAR_START}"
    ) from None

# Nothing is loaded from outside the site, and no inline script runs.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

SESSION_COOKIE_HTTPONLY = True
# A sign-in lasts a working day at most, and ends after half an hour idle
# (awareness.middleware.SessionLimitsMiddleware).
SESSION_MAX_HOURS = env_int("SESSION_MAX_HOURS", 10)
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30)
SESSION_COOKIE_AGE = SESSION_MAX_HOURS * 3600
SESSION_ENGINE = "awareness.sessions"
CSRF_COOKIE_HTTPONLY = False  # htmx reads nothing from it: the token comes from the page
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # Browser tests serve plain http on loopback and turn this off.
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
