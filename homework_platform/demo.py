"""Demo data for `manage.py seed_demo`: two practices with people and clients.

Idempotent: people and practices are found by email/slug and created only when missing.
Practices and clients are made by the accounts and clients services. People's logins, the
therapists' memberships and the clients' portal logins are written here: the product makes
them through sign-up, invitations and portal invites, which email, and a demo sends no mail.
Other apps add their own demo data by providing ``<app>/demo.py`` with
``seed(practice, people)`` (see SEEDERS); each must be idempotent too, and one that fails to
import fails the seed.
"""

import importlib
from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from django.db import transaction

from accounts.models import Membership, Practice, Role, User
from accounts.services import practice_create, practice_update
from clients.models import Client, ClientStatus
from clients.services import client_create, client_set_status
from core.tenancy import practice_scope

DEMO_PASSWORD = "bridgework-demo-2026"  # noqa: S105 - published demo credentials
SEEDERS = ["library.demo", "assignments.demo", "pathways.demo", "reminders.demo", "privacy.demo"]

PRACTICES = [
    {
        "name": "Harbour Therapy",
        "slug": "harbour-therapy",
        "domain": "harbour.example",
        "timezone": "Europe/London",
        "owner": "Olivia Hart",
        "therapists": ["Sam Okafor", "Priya Nair"],
        "clients": [
            ("Jordan Ellis", "Jo", "Europe/London", ClientStatus.ACTIVE),
            ("Maya Fernandes", "", "Europe/Berlin", ClientStatus.ACTIVE),
            ("Tom Brennan", "Tommy", "Europe/London", ClientStatus.ACTIVE),
            ("Aisha Rahman", "", "America/New_York", ClientStatus.PAUSED),
            ("Lena Vogel", "", "Europe/Berlin", ClientStatus.DISCHARGED),
        ],
    },
    {
        "name": "Northside Counselling",
        "slug": "northside-counselling",
        "domain": "northside.example",
        "timezone": "America/New_York",
        "owner": "Marcus Webb",
        "therapists": ["Hannah Cole", "Diego Ramos"],
        "clients": [
            ("Chris Park", "", "America/New_York", ClientStatus.ACTIVE),
            ("Emily Stone", "Em", "America/Chicago", ClientStatus.ACTIVE),
            ("Noah Fischer", "", "Australia/Sydney", ClientStatus.ACTIVE),
        ],
    },
]


@dataclass
class DemoPeople:
    owner: User
    therapists: list[User]
    clients: list[Client] = field(default_factory=list)


def _email(full_name: str, domain: str) -> str:
    return f"{full_name.split()[0].lower()}@{domain}"


def _user(email: str, full_name: str, **extra) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email=email, password=DEMO_PASSWORD, full_name=full_name, **extra
        )
    EmailAddress.objects.get_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


@transaction.atomic
def seed() -> dict:
    summary = {"practices": []}
    seeders = [importlib.import_module(name) for name in SEEDERS]
    for spec in PRACTICES:
        practice = _practice(spec)
        with practice_scope(practice):
            people = _seed_people(practice, spec)
            for seeder in seeders:
                seeder.seed(practice, people)
        users = [{"email": people.owner.email, "password": DEMO_PASSWORD, "role": "owner"}]
        users += [
            {"email": t.email, "password": DEMO_PASSWORD, "role": "therapist"}
            for t in people.therapists
        ]
        users += [
            {"email": c.email, "password": DEMO_PASSWORD, "role": "client"}
            for c in people.clients
            if c.user_id and c.status != ClientStatus.DISCHARGED
        ]
        summary["practices"].append({"name": practice.name, "slug": practice.slug, "users": users})
    curator = _user("curator@bridgework.example", "Cora Curator", is_curator=True)
    summary["curator"] = {"email": curator.email, "password": DEMO_PASSWORD}
    return summary


def _practice(spec) -> Practice:
    practice = Practice.objects.filter(slug=spec["slug"]).first()
    if practice is not None:
        return practice
    owner = _user(_email(spec["owner"], spec["domain"]), spec["owner"])
    practice = practice_create(owner=owner, name=spec["name"])
    with practice_scope(practice):
        actor = Membership.objects.get(practice=practice, user=owner)
        return practice_update(practice=practice, actor=actor, default_timezone=spec["timezone"])


def _seed_people(practice, spec) -> DemoPeople:
    domain = spec["domain"]
    owner = _user(_email(spec["owner"], domain), spec["owner"])
    Membership.objects.get_or_create(practice=practice, user=owner, defaults={"role": Role.OWNER})
    actor = Membership.objects.get(practice=practice, user=owner)
    therapists = []
    for name in spec["therapists"]:
        therapist = _user(_email(name, domain), name)
        Membership.objects.get_or_create(
            practice=practice, user=therapist, defaults={"role": Role.THERAPIST}
        )
        therapists.append(therapist)
    people = DemoPeople(owner=owner, therapists=therapists)
    for index, (full_name, preferred, tz, status) in enumerate(spec["clients"]):
        email = f"{full_name.split()[0].lower()}.client@{domain}"
        client = Client.objects.filter(practice=practice, email=email).first()
        if client is None:
            client = client_create(
                practice=practice,
                actor=actor,
                full_name=full_name,
                preferred_name=preferred,
                email=email,
                timezone_name=tz,
                primary_therapist=therapists[index % len(therapists)],
            )
            if status != client.status:
                client = client_set_status(client=client, actor=actor, status=status)
        if client.user_id is None:
            client.user = _user(email, full_name)
            client.save(update_fields=["user"])
        people.clients.append(client)
    return people
