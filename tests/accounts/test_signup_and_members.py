import re

import pytest
from django.core import mail
from django.utils import timezone
from django_scopes import scopes_disabled

from accounts.models import Invitation, Membership, Practice, Role, User

pytestmark = pytest.mark.django_db


def signup(web, **overrides):
    data = {
        "full_name": "Rosa Lind",
        "email": "rosa@lindtherapy.test",
        "practice_name": "Lind Therapy",
        "password1": "a-long-calm-passphrase",
        "password2": "a-long-calm-passphrase",
    }
    data.update(overrides)
    return web().post("/accounts/signup/", data)


def test_signing_up_creates_a_practice_with_its_owner(web):
    response = signup(web)
    assert response.status_code == 302
    user = User.objects.get(email="rosa@lindtherapy.test")
    assert user.full_name == "Rosa Lind"
    practice = Practice.objects.get(name="Lind Therapy")
    with scopes_disabled():
        membership = Membership.objects.get(user=user)
    assert membership.practice == practice and membership.role == Role.OWNER


def test_signup_with_a_taken_email_says_so_and_keeps_what_was_typed(web, world):
    response = signup(web, email=world.owner_a.email)
    assert response.status_code == 200
    html = response.content.decode()
    assert "already" in html.lower()
    assert 'value="Lind Therapy"' in html  # kept
    assert not Practice.objects.filter(name="Lind Therapy").exists()  # nothing half-saved


def test_signup_without_a_practice_name_shows_the_error_next_to_the_field(web):
    response = signup(web, practice_name="")
    html = response.content.decode()
    assert re.search(r"id_practice_name.*?field__error", html, re.S)
    assert not User.objects.filter(email="rosa@lindtherapy.test").exists()


@pytest.fixture
def invite(web, world, django_capture_on_commit_callbacks):
    def send(email="new.colleague@alpha.test", role="therapist"):
        with django_capture_on_commit_callbacks(execute=True):
            return web(world.owner_a).post("/practice/members/", {"email": email, "role": role})

    return send


def _accept_link():
    match = re.search(r"(/practice/invitations/accept/[\w-]+/)", mail.outbox[-1].body)
    return match.group(1)


def test_owner_invites_a_therapist_who_joins_with_a_new_account(web, world, invite):
    assert invite().status_code == 302
    assert mail.outbox[-1].to == ["new.colleague@alpha.test"]
    assert "Alpha Practice" in mail.outbox[-1].subject
    link = _accept_link()
    newcomer = web()
    assert "Join Alpha Practice" in newcomer.get(link).content.decode()
    response = newcomer.post(
        link,
        {
            "full_name": "Nina New",
            "password1": "another-long-passphrase",
            "password2": "another-long-passphrase",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="new.colleague@alpha.test")
    with scopes_disabled():
        assert Membership.objects.get(user=user).practice == world.practice_a
    # The link is single use.
    again = web().get(link)
    assert again.status_code == 404
    assert "already been used" in again.content.decode()


def test_an_expired_invitation_says_so(web, world, invite):
    invite()
    link = _accept_link()
    with scopes_disabled():
        Invitation.objects.update(expires_at=timezone.now() - timezone.timedelta(minutes=1))
    response = web().get(link)
    assert response.status_code == 404
    assert "expired" in response.content.decode()


def test_inviting_an_existing_member_is_refused_next_to_the_email(web, world, invite):
    response = invite(email=world.therapist_a.email)
    assert response.status_code == 400
    assert "already a member" in response.content.decode()


def test_a_therapist_cannot_invite(web, world):
    web(world.therapist_a).post(
        "/practice/members/", {"email": "x@alpha.test", "role": "therapist"}
    )
    with scopes_disabled():
        assert not Invitation.objects.filter(email="x@alpha.test").exists()


def test_the_last_owner_cannot_be_demoted(web, world):
    with scopes_disabled():
        membership = Membership.objects.get(user=world.owner_a)
    response = web(world.owner_a).post(
        f"/practice/members/{membership.pk}/role/", {"role": "therapist"}, follow=True
    )
    assert "at least one owner" in response.content.decode()
    with scopes_disabled():
        membership.refresh_from_db()
    assert membership.role == Role.OWNER


def test_a_therapist_with_clients_cannot_be_removed_until_they_are_moved(web, world):
    with scopes_disabled():
        membership = Membership.objects.get(user=world.therapist_a)
    response = web(world.owner_a).post(f"/practice/members/{membership.pk}/remove/", follow=True)
    assert "Move this person" in response.content.decode()
    with scopes_disabled():
        assert Membership.objects.filter(pk=membership.pk).exists()


def test_practice_settings_are_for_managers_only(web, world):
    assert web(world.therapist_a).get("/practice/").status_code == 403
    response = web(world.owner_a).post(
        "/practice/",
        {"name": "Alpha Renamed", "default_timezone": "Not/AZone", "crisis_resources": ""},
    )
    assert response.status_code == 200
    assert "field__error" in response.content.decode()
    world.practice_a.refresh_from_db()
    assert world.practice_a.name == "Alpha Practice"


def test_members_page_lists_only_this_practice(web, world):
    html = web(world.therapist_a).get("/practice/members/").content.decode()
    assert world.colleague_a.email in html
    assert world.therapist_b.email not in html
