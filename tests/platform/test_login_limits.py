"""Staff sign-in limits (allauth's own, counted in the cache), and the cache they count in."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
LOGIN = "/accounts/login/"
TOO_MANY = "Too many failed login attempts"


def failed_logins_per_account() -> int:
    (per_key,) = [r for r in settings.ACCOUNT_RATE_LIMITS["login_failed"].split(",") if "key" in r]
    return int(per_key.split("/")[0])


def test_past_the_limit_of_failed_logins_for_one_account_even_the_right_password_is_refused(
    web, world
):
    email = world.therapist_a.email
    limit = failed_logins_per_account()
    for n in range(limit):
        # From several places: the count is per account, not only per IP address.
        response = web().post(
            LOGIN, {"login": email, "password": "not-the-password"}, REMOTE_ADDR=f"10.0.0.{n}"
        )
        assert response.status_code == 200 and TOO_MANY not in response.content.decode()
    browser = web()
    response = browser.post(LOGIN, {"login": email, "password": PASSWORD}, REMOTE_ADDR="10.0.1.1")
    assert response.status_code == 200
    assert TOO_MANY in response.content.decode()
    assert "_auth_user_id" not in browser.session
    # Other accounts are not affected.
    other = web().post(LOGIN, {"login": world.owner_a.email, "password": PASSWORD})
    assert other.status_code == 302


def test_failed_logins_from_one_ip_address_are_limited_across_accounts(web):
    emails = [UserFactory().email for _ in range(11)]
    answers = [
        TOO_MANY in web().post(LOGIN, {"login": e, "password": "wrong-password"}).content.decode()
        for e in emails
    ]
    assert answers == [False] * 10 + [True]


def test_login_posts_from_one_ip_address_are_answered_429_past_the_limit(web):
    per_ip = int(settings.ACCOUNT_RATE_LIMITS["login"].split("/")[0])
    answers = [
        web().post(LOGIN, {"login": f"x{n}@example.test", "password": "w"}).status_code
        for n in range(per_ip + 1)
    ]
    assert answers[-1] == 429 and 429 not in answers[:-1]


def test_a_successful_login_does_not_use_up_the_failure_allowance(web, world):
    email = world.therapist_a.email
    for _ in range(failed_logins_per_account() + 2):
        assert web().post(LOGIN, {"login": email, "password": PASSWORD}).status_code == 302


def test_with_redis_url_the_cache_is_redis_so_limits_hold_across_web_workers():
    environ = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    environ.update(
        SECRET_KEY="k3Jx9-qL2vN8#pR5tW1zY7uB4mE6hA0cF_dG+sI3oP9lK2jH5gD8fS1aQ4wE7rT0",
        DJANGO_DEBUG="0",
        ALLOWED_HOSTS="example.org",
        REDIS_URL="redis://cache.internal:6379/0",
    )
    code = "from homework_platform import settings as s; print(s.CACHES['default'])"
    for redis_url, expected in (("redis://cache.internal:6379/0", "RedisCache"), ("", "LocMem")):
        environ["REDIS_URL"] = redis_url
        result = subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env=environ,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        assert expected in result.stdout
        if redis_url:
            assert redis_url in result.stdout
