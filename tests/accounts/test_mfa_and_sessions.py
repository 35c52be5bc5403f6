import pytest
from allauth.mfa.models import Authenticator
from django.conf import settings

pytestmark = pytest.mark.django_db


def test_when_the_practice_requires_mfa_members_must_set_it_up(web, world):
    world.practice_a.require_mfa = True
    world.practice_a.save()
    response = web(world.therapist_a).get("/clients/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/totp/activate")
    # Other practices are unaffected.
    assert web(world.therapist_b).get("/clients/").status_code == 200


def test_members_with_an_authenticator_pass(web, world):
    world.practice_a.require_mfa = True
    world.practice_a.save()
    Authenticator.objects.create(
        user=world.therapist_a, type=Authenticator.Type.TOTP, data={"secret": "x"}
    )
    assert web(world.therapist_a).get("/clients/").status_code == 200


def test_sessions_expire_after_idle_time():
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_COOKIE_AGE <= 60 * 60


def test_login_is_rate_limited_in_production_settings():
    from homework_platform import settings as production

    assert "login_failed" in production.ACCOUNT_RATE_LIMITS


def test_password_sign_in_of_a_staff_member(web, world):
    response = web().post(
        "/accounts/login/",
        {"login": world.therapist_a.email, "password": "correct-horse-battery-staple"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/"


def _totp_now(secret: str) -> str:
    import time

    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def test_a_therapist_turns_on_totp_and_then_needs_the_code_to_sign_in(web, world):
    import time_machine
    from allauth.mfa.models import Authenticator
    from django.utils import timezone

    browser = web()
    credentials = {"login": world.therapist_a.email, "password": "correct-horse-battery-staple"}
    assert browser.post("/accounts/login/", credentials).status_code == 302
    page = browser.get("/accounts/2fa/totp/activate/")
    if page.status_code == 302:  # allauth asks for the password again before changing MFA
        assert page["Location"].startswith("/accounts/reauthenticate/")
        browser.post("/accounts/reauthenticate/", {"password": credentials["password"]})
        page = browser.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200
    secret = browser.session["mfa.totp.secret"]
    assert (
        browser.post(
            "/accounts/2fa/totp/activate/",
            {"code": "000000" if _totp_now(secret) != "000000" else "111111"},
        ).status_code
        == 200
    )
    response = browser.post("/accounts/2fa/totp/activate/", {"code": _totp_now(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=world.therapist_a, type="totp").exists()
    assert Authenticator.objects.filter(user=world.therapist_a, type="recovery_codes").exists()

    with time_machine.travel(timezone.now() + timezone.timedelta(minutes=2)):
        fresh = web()
        response = fresh.post("/accounts/login/", credentials)
        assert response["Location"] == "/accounts/2fa/authenticate/"
        assert fresh.get("/clients/").status_code == 302  # not signed in yet
        response = fresh.post("/accounts/2fa/authenticate/", {"code": _totp_now(secret)})
        assert response.status_code == 302
        assert fresh.get("/clients/").status_code == 200
