"""The ``seed_demo --json`` contract (DESIGN.md, Contracts): the shape others rely on, logins
that really work, a second run that changes nothing, and a broken seeder that stops the seed."""

import io
import json

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def seed_json() -> dict:
    out = io.StringIO()
    call_command("seed_demo", "--json", stdout=out)
    return json.loads(out.getvalue())


def test_seed_demo_json_lists_two_practices_and_a_curator_whose_logins_work():
    summary = seed_json()
    assert set(summary) == {"practices", "curator"}
    assert len(summary["practices"]) == 2
    for practice in summary["practices"]:
        assert set(practice) >= {"name", "slug", "users"}
        roles = [user["role"] for user in practice["users"]]
        assert roles.count("owner") == 1 and roles.count("therapist") == 2
        for user in practice["users"]:
            assert set(user) >= {"email", "password", "role"}
            if user["role"] != "client":
                assert authenticate(email=user["email"], password=user["password"]) is not None
    curator = summary["curator"]
    signed_in = authenticate(email=curator["email"], password=curator["password"])
    assert signed_in is not None and signed_in.is_curator


def test_seeding_twice_prints_the_same_logins():
    assert seed_json() == seed_json()


def test_a_seeder_that_does_not_import_fails_the_seed(monkeypatch):
    from homework_platform import demo

    monkeypatch.setattr(demo, "SEEDERS", [*demo.SEEDERS, "library.no_such_demo"])
    with pytest.raises(ModuleNotFoundError, match=r"library\.no_such_demo"):
        demo.seed()
