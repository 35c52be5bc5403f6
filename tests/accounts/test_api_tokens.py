"""API tokens: made after re-authentication, shown once, stored hashed, named, expiring,
revocable, one practice each; owners see and revoke every token of their practice."""

import re

import pytest
import time_machine
from django.utils import timezone
from django_scopes import scopes_disabled
from rest_framework.test import APIClient

from accounts import services
from accounts.models import ApiToken, AuditEvent, Membership, Role
from core.tenancy import practice_scope
from tests.factories import PASSWORD, MembershipFactory, api_token_for

pytestmark = pytest.mark.django_db

CLIENTS = "/api/v1/clients/"


def api(secret=None):
    browser = APIClient()
    if secret is not None:
        browser.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return browser


def token_of(secret) -> ApiToken:
    with scopes_disabled():
        return ApiToken.objects.select_related("membership").get(prefix=ApiToken.prefix_of(secret))


def membership(user, practice) -> Membership:
    with scopes_disabled():
        return Membership.objects.select_related("practice", "user").get(
            user=user, practice=practice
        )


def reauthenticated(web, user):
    browser = web(user)
    response = browser.post("/accounts/reauthenticate/", {"password": PASSWORD})
    assert response.status_code == 302
    return browser


def audit_actions(practice):
    with scopes_disabled():
        return [e.action for e in AuditEvent.objects.filter(practice=practice).order_by("id")]


# --- Making a token -------------------------------------------------------------------------


def test_creating_a_token_asks_for_the_password_again(web, world):
    browser = web(world.therapist_a)
    page = browser.get("/practice/api-token/new/")
    assert page.status_code == 302
    assert page["Location"].startswith("/accounts/reauthenticate/")
    refused = browser.post("/practice/api-token/new/", {"name": "Export", "days": "90"})
    assert refused.status_code == 302 and refused["Location"].startswith("/accounts/reauth")
    with scopes_disabled():
        assert not ApiToken.objects.exists()
    browser.post("/accounts/reauthenticate/", {"password": PASSWORD})
    assert browser.get("/practice/api-token/new/").status_code == 200


def test_a_new_token_is_shown_once_and_stored_only_as_a_hash(web, world):
    browser = reauthenticated(web, world.therapist_a)
    before = timezone.now()
    page = browser.post("/practice/api-token/new/", {"name": "Weekly export", "days": "30"})
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    secret = re.search(r'value="(bw_[^"]+)"', page.content.decode()).group(1)
    token = token_of(secret)
    assert token.name == "Weekly export"
    assert token.membership.user == world.therapist_a and token.practice == world.practice_a
    assert token.secret_hash == ApiToken.hash_of(secret) != secret
    assert secret[len("bw_") + ApiToken.PREFIX_LENGTH + 1 :] not in token.secret_hash
    assert timezone.timedelta(days=30) <= token.expires_at - before < timezone.timedelta(days=31)
    assert token.last_used_at is None and token.revoked_at is None
    assert audit_actions(world.practice_a) == ["api_token_create"]
    # The list shows it by name and prefix, never the secret.
    listing = browser.get("/practice/api-token/").content.decode()
    assert "Weekly export" in listing and token.display_prefix in listing
    assert secret not in listing
    assert api(secret).get(CLIENTS).status_code == 200


def test_the_default_lifetime_is_90_days(world):
    secret = api_token_for(world.therapist_a)
    lifetime = token_of(secret).expires_at - timezone.now()
    assert timezone.timedelta(days=89) < lifetime <= timezone.timedelta(days=90)


def test_bad_input_is_shown_next_to_the_field(web, world):
    browser = reauthenticated(web, world.therapist_a)
    page = browser.post("/practice/api-token/new/", {"name": "  ", "days": "10000"})
    assert page.status_code == 400
    html = page.content.decode()
    assert 'id="id_name_error"' in html and 'id="id_days_error"' in html
    with scopes_disabled():
        assert not ApiToken.objects.exists()


def test_clients_and_people_without_a_practice_have_no_token_pages(web, portal, world):
    assert portal(world.client_a).get("/practice/api-token/").status_code == 404
    assert web(world.curator).get("/practice/api-token/").status_code == 404


# --- Using it -------------------------------------------------------------------------------


def test_a_token_acts_in_its_own_practice_only(world):
    """Someone in two practices: each token sees its own practice, whatever else holds."""
    MembershipFactory(practice=world.practice_b, user=world.therapist_a, role=Role.OWNER)
    in_b = api_token_for(world.therapist_a, practice=world.practice_b)
    in_a = api_token_for(world.therapist_a, practice=world.practice_a)
    names_b = {c["full_name"] for c in api(in_b).get(CLIENTS).json()["results"]}
    names_a = {c["full_name"] for c in api(in_a).get(CLIENTS).json()["results"]}
    assert names_b == {"Beta Client"} and names_a == {"Alpha Client"}


def test_last_used_is_recorded_at_most_once_a_minute(world):
    secret = api_token_for(world.therapist_a)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert api(secret).get(CLIENTS).status_code == 200
    assert token_of(secret).last_used_at == start
    with time_machine.travel(start + timezone.timedelta(seconds=50), tick=False):
        assert api(secret).get(CLIENTS).status_code == 200
    assert token_of(secret).last_used_at == start
    later = start + timezone.timedelta(seconds=70)
    with time_machine.travel(later, tick=False):
        assert api(secret).get(CLIENTS).status_code == 200
    assert token_of(secret).last_used_at == later


def test_an_expired_token_is_refused(world):
    secret = api_token_for(world.therapist_a, days=7)
    with time_machine.travel(timezone.now() + timezone.timedelta(days=6, hours=23)):
        assert api(secret).get(CLIENTS).status_code == 200
    with time_machine.travel(timezone.now() + timezone.timedelta(days=7, minutes=1)):
        response = api(secret).get(CLIENTS)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_unknown_wrong_and_old_style_tokens_are_refused(world):
    secret = api_token_for(world.therapist_a)
    wrong_secret = secret[:-4] + ("aaaa" if not secret.endswith("aaaa") else "bbbb")
    for presented in (
        wrong_secret,
        "bw_000000000000_" + "x" * 43,
        "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b",  # a DRF authtoken key: no longer accepted
        "bw_",
    ):
        assert api(presented).get(CLIENTS).status_code == 401, presented
    broken = APIClient()
    broken.credentials(HTTP_AUTHORIZATION="Token two parts")
    assert broken.get(CLIENTS).status_code == 401
    assert token_of(secret).last_used_at is None


def test_a_deactivated_persons_token_is_refused(world):
    secret = api_token_for(world.therapist_a)
    world.therapist_a.is_active = False
    world.therapist_a.save()
    assert api(secret).get(CLIENTS).status_code == 401


def test_a_removed_members_tokens_stop_working_and_do_not_return(world):
    secret = api_token_for(world.colleague_a)
    assert api(secret).get(CLIENTS).status_code == 200
    with practice_scope(world.practice_a):
        services.membership_remove(
            membership=membership(world.colleague_a, world.practice_a),
            actor=membership(world.owner_a, world.practice_a),
        )
    assert api(secret).get(CLIENTS).status_code == 401
    # Invited back, the person starts without tokens: the old one stays dead.
    MembershipFactory(practice=world.practice_a, user=world.colleague_a)
    assert api(secret).get(CLIENTS).status_code == 401


# --- Seeing and revoking --------------------------------------------------------------------


def test_a_member_sees_and_revokes_only_their_own_tokens(web, world):
    mine = api_token_for(world.therapist_a, name="My script")
    theirs = api_token_for(world.colleague_a, name="Colleague script")
    browser = web(world.therapist_a)
    listing = browser.get("/practice/api-token/").content.decode()
    assert "My script" in listing and "Colleague script" not in listing
    assert browser.get("/practice/api-tokens/").status_code == 403
    colleague_token = token_of(theirs)
    assert browser.post(f"/practice/api-token/{colleague_token.pk}/revoke/").status_code == 404
    assert api(theirs).get(CLIENTS).status_code == 200

    response = browser.post(f"/practice/api-token/{token_of(mine).pk}/revoke/")
    assert response.status_code == 302 and response["Location"] == "/practice/api-token/"
    assert api(mine).get(CLIENTS).status_code == 401
    revoked = token_of(mine)
    assert revoked.revoked_at is not None and revoked.revoked_by == world.therapist_a
    after = browser.get("/practice/api-token/").content.decode()
    assert "revoked" in after and "<strong>My script</strong>" not in after
    assert audit_actions(world.practice_a)[-1] == "api_token_revoke"


def test_owners_see_every_token_of_the_practice_and_revoke_any(web, world):
    secret = api_token_for(world.therapist_a, name="Therapist script")
    api_token_for(world.therapist_b, name="Beta script")
    assert api(secret).get(CLIENTS).status_code == 200
    browser = web(world.owner_a)
    page = browser.get("/practice/api-tokens/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Therapist script" in html and world.therapist_a.email in html
    assert "Beta script" not in html
    assert "Never" not in html  # it was used, and the page says when
    token = token_of(secret)
    response = browser.post(f"/practice/api-token/{token.pk}/revoke/", {"from": "practice"})
    assert response["Location"] == "/practice/api-tokens/"
    assert api(secret).get(CLIENTS).status_code == 401
    assert token_of(secret).revoked_by == world.owner_a
    with scopes_disabled():
        event = AuditEvent.objects.filter(practice=world.practice_a).latest("id")
    assert (event.action, event.actor, event.object_id) == (
        "api_token_revoke",
        world.owner_a,
        str(token.pk),
    )


def test_admins_do_not_see_everyones_tokens(web, world):
    with scopes_disabled():
        Membership.objects.filter(user=world.colleague_a).update(role=Role.ADMIN)
    assert web(world.colleague_a).get("/practice/api-tokens/").status_code == 403


def test_another_practices_token_is_404(web, world):
    secret = api_token_for(world.therapist_b)
    token = token_of(secret)
    owner_a = web(world.owner_a)
    assert owner_a.post(f"/practice/api-token/{token.pk}/revoke/").status_code == 404
    assert owner_a.get(f"/practice/api-token/{token.pk}/revoke/").status_code == 405
    assert token_of(secret).revoked_at is None
    assert api(secret).get(CLIENTS).status_code == 200


def test_revoking_twice_changes_nothing(world):
    token = token_of(api_token_for(world.therapist_a))
    actor = membership(world.therapist_a, world.practice_a)
    with practice_scope(world.practice_a):
        services.api_token_revoke(token=token, actor=actor)
        first = token.revoked_at
        services.api_token_revoke(token=token, actor=actor)
    assert token_of_pk(token.pk).revoked_at == first
    assert audit_actions(world.practice_a).count("api_token_revoke") == 1


def token_of_pk(pk) -> ApiToken:
    with scopes_disabled():
        return ApiToken.objects.get(pk=pk)


def test_the_service_refuses_a_colleague_revoking_someone_elses_token(world):
    token = token_of(api_token_for(world.therapist_a))
    with practice_scope(world.practice_a), pytest.raises(PermissionError):
        services.api_token_revoke(
            token=token, actor=membership(world.colleague_a, world.practice_a)
        )


@pytest.mark.parametrize("count", [1, 12])
def test_the_owners_list_costs_the_same_queries_for_few_or_many(
    web, world, count, django_assert_max_num_queries
):
    for index in range(count):
        api_token_for(world.therapist_a if index % 2 else world.colleague_a, name=f"T{index}")
    browser = web(world.owner_a)
    browser.get("/practice/api-tokens/")
    with django_assert_max_num_queries(10):
        page = browser.get("/practice/api-tokens/")
    assert page.content.decode().count("/revoke/") == count
