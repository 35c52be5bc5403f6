import pytest
from allauth.mfa.models import Authenticator
from django.conf import settings
from django_scopes import scopes_disabled
from rest_framework.test import APIClient

from accounts.models import AuditEvent, Role
from clients.models import Client
from tests.factories import MembershipFactory, api_token_for

pytestmark = pytest.mark.django_db


def _require_mfa(practice):
    practice.require_mfa = True
    practice.save()


def _token_api(secret):
    browser = APIClient()
    browser.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return browser


def _session_api(web, user):
    browser = APIClient()
    browser.cookies = web(user).cookies
    return browser


def _refused_for_mfa(response):
    assert response.status_code == 403, response.content
    body = response.json()
    assert body["code"] == "mfa_setup_required"
    assert "two-factor authentication" in body["detail"]


def test_when_the_practice_requires_mfa_members_must_set_it_up(web, world):
    _require_mfa(world.practice_a)
    response = web(world.therapist_a).get("/clients/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/totp/activate")
    # The set-up page itself stays open.
    assert web(world.therapist_a).get(response["Location"]).status_code in (200, 302)
    # Other practices are unaffected.
    assert web(world.therapist_b).get("/clients/").status_code == 200


def test_every_way_in_is_refused_until_the_member_has_an_authenticator(web, world):
    """Session page, session API and a token made before the owner required two-factor."""
    secret = api_token_for(world.therapist_a)
    client_url = f"/api/v1/clients/{world.client_a.pk}/"
    _require_mfa(world.practice_a)

    assert web(world.therapist_a).get(f"/clients/{world.client_a.pk}/").status_code == 302
    _refused_for_mfa(_session_api(web, world.therapist_a).get(client_url))
    _refused_for_mfa(_token_api(secret).get(client_url))
    created = _token_api(secret).post(
        "/api/v1/clients/", {"full_name": "Nope", "email": "nope@alpha.test"}, format="json"
    )
    _refused_for_mfa(created)
    _refused_for_mfa(_token_api(secret).get("/api/v1/portal/occurrences/"))
    with scopes_disabled():
        assert not Client.objects.filter(full_name="Nope").exists()
        assert not AuditEvent.objects.filter(action__in=["view", "api_view"]).exists()

    Authenticator.objects.create(
        user=world.therapist_a, type=Authenticator.Type.TOTP, data={"secret": "x"}
    )
    assert web(world.therapist_a).get(f"/clients/{world.client_a.pk}/").status_code == 200
    assert _session_api(web, world.therapist_a).get(client_url).status_code == 200
    assert _token_api(secret).get(client_url).status_code == 200


def test_recovery_codes_alone_are_not_an_authenticator_app(web, world):
    _require_mfa(world.practice_a)
    Authenticator.objects.create(
        user=world.therapist_a, type=Authenticator.Type.RECOVERY_CODES, data={}
    )
    assert web(world.therapist_a).get("/clients/").status_code == 302


def test_the_requirement_belongs_to_the_practice_the_request_acts_in(world):
    """A therapist of A (which requires two-factor) who also works in B (which does not): a
    token for B works, a token for A does not."""
    MembershipFactory(practice=world.practice_b, user=world.therapist_a, role=Role.THERAPIST)
    in_a = api_token_for(world.therapist_a, practice=world.practice_a)
    in_b = api_token_for(world.therapist_a, practice=world.practice_b)
    _require_mfa(world.practice_a)
    _refused_for_mfa(_token_api(in_a).get("/api/v1/clients/"))
    assert _token_api(in_b).get("/api/v1/clients/").status_code == 200


def test_the_resolver_gives_a_member_without_an_authenticator_no_practice(rf, world):
    """The decision is made once, where the tenant is resolved: a view that forgot to check
    still has no practice to read from."""
    from core.tenancy import resolve_request_tenant

    _require_mfa(world.practice_a)
    request = rf.get("/anything/")
    request.user = world.therapist_a
    request.session = {}
    resolve_request_tenant(request)
    assert request.mfa_setup_required is True
    assert request.practice is None and request.membership is None


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
