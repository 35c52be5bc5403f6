"""Test settings: the real settings, with fast password hashing and in-memory email.

The database is whatever DATABASE_URL says (SQLite by default, PostgreSQL in CI).
"""

import os

os.environ.setdefault("SECRET_KEY", "test-secret-key-" + "x" * 50)
os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("EMAIL_URL", "locmem://")
os.environ.setdefault(
    "BRIDGEWORK_VAR_DIR", os.path.join(os.path.dirname(__file__), "..", "var", "test")
)

from homework_platform.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
ACCOUNT_EMAIL_VERIFICATION = "optional"
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
CELERY_TASK_ALWAYS_EAGER = True
# Sign-in limits and throttles stay on; each test starts with an empty cache (tests/conftest.py).
# Always in memory, even with REDIS_URL: clearing a Redis cache would empty the broker's database.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_TASK_EAGER_PROPAGATES = True
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
# Tests walk hundreds of URLs as one user in a second; the limits have tests of their own.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {"anon": "100000/min", "user": "100000/min"},
}
