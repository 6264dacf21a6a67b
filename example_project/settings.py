"""Settings of the example site. Everything that differs between machines comes from the
environment or a ``.env`` file beside ``manage.py`` (django-environ)."""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env(
    DEBUG=(bool, False),
    ALLOWED_HOSTS=(list, ["127.0.0.1", "localhost"]),
    SECRET_KEY_FALLBACKS=(list, []),
)
environ.Env.read_env(BASE_DIR / ".env")

# The fallback key serves the example only: a deployment sets SECRET_KEY.
SECRET_KEY = env("SECRET_KEY", default="example-project-insecure-key-set-SECRET_KEY")
SECRET_KEY_FALLBACKS = env("SECRET_KEY_FALLBACKS")
DEBUG = env("DEBUG")
ALLOWED_HOSTS = env("ALLOWED_HOSTS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "cognito_auth",
    "example_project",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before CSRF: a form in another charset than UTF-8 is a 400, not a 500.
    "cognito_auth.form_charset.FormCharsetMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After both: it needs request.user, and leaves a message when Cognito ends a session.
    "cognito_auth.middleware.CognitoSessionMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
# Tests of many worker processes need to know which one answered; never set in production.
if env.bool("EXAMPLE_PROJECT_WORKER_PID_HEADER", default=False):
    MIDDLEWARE.append("example_project.worker_pid.WorkerPidMiddleware")

AUTHENTICATION_BACKENDS = [
    "cognito_auth.backends.CognitoBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "example_project.urls"
WSGI_APPLICATION = "example_project.wsgi.application"
ASGI_APPLICATION = "example_project.asgi.application"

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



# Django's boolean per-database settings that django-environ reads from DATABASE_URL's query.
BOOLEAN_DATABASE_OPTIONS = ("ATOMIC_REQUESTS", "AUTOCOMMIT", "CONN_HEALTH_CHECKS", "DISABLE_SERVER_SIDE_CURSORS")


def database_from_url(url: str) -> dict:
    """``DATABASE_URL`` as Django reads it. django-environ hands ``?conn_health_checks=false``
    (or ``autocommit=false``...) on as the string "false", which is true to Django: read each
    boolean option as the boolean it names."""
    config = environ.Env.db_url_config(url)
    for option in BOOLEAN_DATABASE_OPTIONS:
        if isinstance(config.get(option), str):
            config[option] = environ.Env.parse_value(config[option], bool)
    return config


DATABASES = {"default": database_from_url(env("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"))}


def cache_from_url(url: str) -> dict:
    """``CACHE_URL`` as Django reads it. django-environ passes the query's options on in
    lower case; Django's cache reads ``timeout`` in either case but ``KEY_PREFIX``,
    ``VERSION`` and ``KEY_FUNCTION`` only in upper case (django/core/cache/backends/base.py):
    sites sharing one Redis database would otherwise share, and clear, each other's keys."""
    config = environ.Env.cache_url_config(url)
    for key in ("key_prefix", "version", "key_function"):
        if key in config:
            config[key.upper()] = config.pop(key)
    return config


CACHES = {"default": cache_from_url(env("CACHE_URL", default="locmemcache://"))}
# Where sessions live: the database, which keeps them through a cache restart (README,
# "What a production site sets", says why not cached_db).
SESSION_ENGINE = env("SESSION_ENGINE", default="django.contrib.sessions.backends.db")
# Behind HTTPS (production), set all three; the example serves plain HTTP on loopback.
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=False)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=False)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)

# The example shows the sign-up pages; a site turns them on only if it wants them.
COGNITO_AUTH_SIGN_UP_ENABLED = env.bool("COGNITO_AUTH_SIGN_UP_ENABLED", default=True)

# A local Cognito emulator on loopback, at the port README's `python -m cognito_auth.testing
# --port 9229` uses. Pinned to that port: anyone able to listen on another loopback port
# would otherwise be an allowed endpoint. `make demo` sets the port its emulator got.
COGNITO_AUTH_ALLOWED_ENDPOINT_HOSTS = env.list(
    "COGNITO_AUTH_ALLOWED_ENDPOINT_HOSTS", default=["127.0.0.1:9229", "localhost:9229"]
)

LOGIN_URL = "cognito_auth:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "cognito_auth:login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
# Where `collectstatic` gathers the static files (the admin's, cognito_auth's passkey scripts)
# for a site that runs without DEBUG. Set, WhiteNoise serves them from the site's own
# processes (gunicorn under `make stack`): compressed, under names that carry a hash of the
# content, so browsers may cache them for a year. Unset (`make demo`, the tests), nothing
# changes: runserver serves them under DEBUG, and `{% static %}` needs no manifest.
STATIC_ROOT = env.str("STATIC_ROOT", default="") or None
if STATIC_ROOT:
    # Right after SecurityMiddleware, as WhiteNoise asks: its answers still get the security
    # headers, and skip the session, CSRF and sign-in work the pages need.
    MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
                      "whitenoise.middleware.WhiteNoiseMiddleware")
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {"cognito_auth": {"handlers": ["console"], "level": "INFO"}},
}
