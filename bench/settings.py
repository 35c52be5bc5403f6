"""Settings for the benchmarks run in one process: the real settings, with fast password
hashing, mail kept in memory and Celery tasks run eagerly when their transaction commits (as
the worker would run them, without one). Their own, so bench/ never imports tests/."""

import os

os.environ.setdefault("SECRET_KEY", "bench-secret-key-" + "x" * 50)
os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("EMAIL_URL", "locmem://")
os.environ.setdefault(
    "BRIDGEWORK_VAR_DIR", os.path.join(os.path.dirname(__file__), "..", "var", "bench")
)

from homework_platform.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# Static files straight from the apps' folders, no collectstatic run: the set-up the figures
# in the README were measured with.
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
