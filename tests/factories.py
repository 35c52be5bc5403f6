"""Factories for every app. They create rows outside any request, so they run with scopes
disabled; the code under test still runs inside its own scope."""

import factory
from django_scopes import scopes_disabled

from accounts.models import Membership, Practice, Role, User
from clients.models import Client

PASSWORD = "correct-horse-battery-staple"


class ScopedFactory(factory.django.DjangoModelFactory):
    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        with scopes_disabled():
            return super()._create(model_class, *args, **kwargs)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.test")
    full_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class PracticeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Practice

    name = factory.Sequence(lambda n: f"Practice {n}")
    slug = factory.Sequence(lambda n: f"practice-{n}")


class MembershipFactory(ScopedFactory):
    class Meta:
        model = Membership

    practice = factory.SubFactory(PracticeFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.THERAPIST


class ClientFactory(ScopedFactory):
    class Meta:
        model = Client

    practice = factory.SubFactory(PracticeFactory)
    full_name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"client{n}@example.test")
    timezone = "Europe/London"
    primary_therapist = factory.SubFactory(UserFactory)


def portal_user_for(client: Client) -> User:
    """Give a client record a portal login (as accepting an invitation would)."""
    user = User.objects.create_user(email=client.email, full_name=client.full_name)
    with scopes_disabled():
        client.user = user
        client.save(update_fields=["user"])
    return user


# --- Assignments -------------------------------------------------------------------------


def activity_version_for(practice, slug: str = "thought-record", **overrides):
    """A published practice activity built from a global library seed file, with its first
    version (what an assignment pins)."""
    import json
    from pathlib import Path

    from django.utils import timezone as django_timezone

    from library.models import Activity, ActivityVersion, PublicationStatus

    seed = Path(__file__).resolve().parents[1] / "library" / "seed" / "activities"
    content = json.loads((seed / f"{slug}.json").read_text())
    fields = {
        "title": content["title"],
        "summary": content["summary"],
        "rationale": content["rationale"],
        "instructions": content["instructions"],
        "estimated_minutes": content["estimated_minutes"],
        "kind": content["tags"]["kind"],
        "approaches": content["tags"]["approach"],
        "problems": content["tags"]["problem"],
        "definition": content["definition"],
    } | overrides
    with scopes_disabled():
        activity = Activity.objects.create(practice=practice, status=PublicationStatus.PUBLISHED)
        version = ActivityVersion.objects.create(
            practice=practice,
            activity=activity,
            number=1,
            published_at=django_timezone.now(),
            **fields,
        )
        activity.current_version = version
        activity.save(update_fields=["current_version"])
    return version


# --- Library ---------------------------------------------------------------------------------


def library_definition(*fields) -> dict:
    """A one-section worksheet definition (a single long answer unless fields are given)."""
    fields = fields or ({"id": "notes", "type": "long_text", "label": "What did you notice?"},)
    return {
        "schema_version": 1,
        "entry_mode": "single",
        "sections": [{"id": "main", "title": "Your answers", "fields": list(fields)}],
        "scoring": None,
    }


def library_content(**overrides) -> dict:
    """Complete activity content (publishable), with ``overrides``."""
    return {
        "title": "Noticing worksheet",
        "summary": "Notice what happens.",
        "rationale": "Writing it down helps you see patterns.",
        "instructions": ["Fill it in after it happens."],
        "estimated_minutes": 10,
        "kind": "worksheet",
        "approaches": ["CBT"],
        "problems": ["anxiety"],
        "definition": library_definition(),
    } | overrides


def curated_activity_for(*, curator=None, publish: bool = True, **content):
    """A global activity made through the curator services (published unless told)."""
    from library import services

    curated = services.curated_create(actor=curator, **library_content(**content))
    if publish:
        curated = services.curated_publish(curated=curated, actor=curator)
    return curated


def practice_activity_for(practice, author, *, publish=True, shared=True, **content):
    """A practice activity made through the library services, as ``author`` would."""
    from accounts.models import Membership
    from core.tenancy import practice_scope
    from library import services

    with practice_scope(practice):
        membership = Membership.objects.get(practice=practice, user=author)
        activity = services.activity_create(
            practice=practice, actor=membership, **library_content(**content)
        )
        if publish:
            activity = services.activity_publish(activity=activity, actor=membership)
        if shared:
            activity = services.activity_set_shared(
                activity=activity, actor=membership, shared=True
            )
    return activity


def api_token_for(user, *, practice=None, days: int = 90, name: str = "Test script") -> str:
    """The secret of a new API token for ``user`` as a member of ``practice`` (default: their
    first practice), made through the service as the token page would."""
    from accounts.services import api_token_create
    from core.tenancy import practice_scope

    with scopes_disabled():
        memberships = Membership.objects.filter(user=user).select_related("practice")
        if practice is not None:
            memberships = memberships.filter(practice=practice)
        membership = memberships.order_by("created_at").first()
    with practice_scope(membership.practice):
        _, secret = api_token_create(membership=membership, name=name, days=days)
    return secret


def sign_in_to_portal(browser, client_record):
    """Sign ``browser`` (a Django test client) in to ``client_record``'s portal, as the
    emailed sign-in link would, and return it."""
    from core.tenancy import PORTAL_SESSION_KEY

    with scopes_disabled():
        user = client_record.user
    browser.force_login(user)
    session = browser.session
    session[PORTAL_SESSION_KEY] = str(client_record.pk)
    session.save()
    return browser
