"""Settings of the load-test stack (``make loadtest``): the production settings (DEBUG off,
PostgreSQL, Redis for cache, sessions' counters and the broker, the real password hasher)
with only what a run on one machine over plain HTTP forces:

- cookies without the Secure flag and no HTTPS redirect: nothing terminates TLS here, and a
  client does not send a Secure cookie over http://;
- the per-address sign-in limits raised: every simulated person connects from 127.0.0.1, so
  a limit meant for one address would stop the whole crowd; the per-account limits stay;
- sign-in emails written to files, where the simulated clients read their codes.
"""

import os

os.environ.setdefault("DJANGO_DEBUG", "0")

from homework_platform.settings import *  # noqa: F403

SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0

_CROWD = 1_000_000
CLIENT_SIGN_IN_LIMITS = {
    action: {**limits, "ip": (_CROWD, limits["ip"][1])}
    for action, limits in CLIENT_SIGN_IN_LIMITS.items()  # noqa: F405
}
ACCOUNT_RATE_LIMITS = {
    **ACCOUNT_RATE_LIMITS,  # noqa: F405
    "login": "100000/m/ip",
    "login_failed": "100000/m/ip,5/15m/key",
}
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    # One API token per simulated script; the per-user rate stays as in production.
    "DEFAULT_THROTTLE_RATES": {"anon": "100000/min", "user": "600/min"},
}
