"""Every membership operation by every role, on every role: who may change whom.

Owners do everything but leave the practice without an owner; admins manage admins and
therapists but never make, unmake or remove owners; therapists manage nobody. The same
rules hold through the service, the members page and the REST API.
"""

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scopes_disabled
from rest_framework.test import APIClient

from accounts import services
from accounts.models import Membership, Role
from tests.factories import MembershipFactory, UserFactory

OWNER, ADMIN, THERAPIST = Role.OWNER, Role.ADMIN, Role.THERAPIST

# (actor role, target role, new role) → allowed
SET_ROLE = {
    (OWNER, OWNER, ADMIN): True,
    (OWNER, ADMIN, OWNER): True,
    (OWNER, ADMIN, THERAPIST): True,
    (OWNER, THERAPIST, OWNER): True,
    (OWNER, THERAPIST, ADMIN): True,
    (ADMIN, OWNER, ADMIN): False,
    (ADMIN, OWNER, THERAPIST): False,
    (ADMIN, ADMIN, THERAPIST): True,
    (ADMIN, ADMIN, OWNER): False,
    (ADMIN, THERAPIST, ADMIN): True,
    (ADMIN, THERAPIST, OWNER): False,
    (THERAPIST, OWNER, ADMIN): False,
    (THERAPIST, ADMIN, THERAPIST): False,
    (THERAPIST, THERAPIST, ADMIN): False,
}
# (actor role, target role) → allowed
REMOVE = {
    (OWNER, OWNER): True,
    (OWNER, ADMIN): True,
    (OWNER, THERAPIST): True,
    (ADMIN, OWNER): False,
    (ADMIN, ADMIN): True,
    (ADMIN, THERAPIST): True,
    (THERAPIST, OWNER): False,
    (THERAPIST, ADMIN): False,
    (THERAPIST, THERAPIST): False,
}


def _member(practice, role, label):
    return MembershipFactory(
        practice=practice, role=role, user=UserFactory(email=f"{label}-{role}@alpha.test")
    )


@pytest.fixture
def people(world):
    """A spare owner (so 'last owner' never decides these cases), the actor and the target."""

    def make(actor_role, target_role):
        with scopes_disabled():
            _member(world.practice_a, OWNER, "spare")
            return _member(world.practice_a, actor_role, "actor"), _member(
                world.practice_a, target_role, "target"
            )

    return make


def _api(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def _refused(call) -> bool:
    try:
        call()
    except (ValidationError, PermissionError):
        return True
    return False


@pytest.mark.parametrize(("actor_role", "target_role", "new_role"), list(SET_ROLE))
def test_changing_a_role(people, actor_role, target_role, new_role):
    actor, target = people(actor_role, target_role)
    with scopes_disabled():
        refused = _refused(
            lambda: services.membership_set_role(membership=target, actor=actor, role=new_role)
        )
        target.refresh_from_db()
    assert refused is not SET_ROLE[actor_role, target_role, new_role]
    assert target.role == (target_role if refused else new_role)


@pytest.mark.parametrize(("actor_role", "target_role"), list(REMOVE))
def test_removing_a_member(people, actor_role, target_role):
    actor, target = people(actor_role, target_role)
    with scopes_disabled():
        refused = _refused(lambda: services.membership_remove(membership=target, actor=actor))
        still_there = Membership.objects.filter(pk=target.pk).exists()
    assert refused is not REMOVE[actor_role, target_role]
    assert still_there is refused


def test_the_last_owner_can_neither_leave_nor_be_demoted(world):
    with scopes_disabled():
        owner = Membership.objects.get(practice=world.practice_a, user=world.owner_a)
        with pytest.raises(ValidationError, match="at least one owner"):
            services.membership_remove(membership=owner, actor=owner)
        with pytest.raises(ValidationError, match="at least one owner"):
            services.membership_set_role(membership=owner, actor=owner, role=ADMIN)
        assert Membership.objects.get(pk=owner.pk).role == OWNER


def test_an_admin_cannot_remove_an_owner_through_the_api(world, people):
    admin, _ = people(ADMIN, THERAPIST)
    with scopes_disabled():
        owner = Membership.objects.get(practice=world.practice_a, user=world.owner_a)
    response = _api(admin.user).delete(f"/api/v1/memberships/{owner.pk}/")
    assert response.status_code == 400
    assert "Only an owner can remove an owner." in str(response.json())
    with scopes_disabled():
        assert Membership.objects.filter(pk=owner.pk).exists()


def test_an_admin_cannot_remove_an_owner_from_the_members_page(world, people, web):
    admin, _ = people(ADMIN, THERAPIST)
    with scopes_disabled():
        owner = Membership.objects.get(practice=world.practice_a, user=world.owner_a)
    page = web(admin.user).post(f"/practice/members/{owner.pk}/remove/", follow=True)
    assert "Only an owner can remove an owner." in page.content.decode()
    with scopes_disabled():
        assert Membership.objects.filter(pk=owner.pk).exists()
