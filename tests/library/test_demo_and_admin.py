"""Demo data for the library is idempotent; the admin lists both libraries for support."""

import pytest
from django.core.management import call_command
from django_scopes import scopes_disabled

from core.tenancy import practice_scope
from homework_platform.demo import DemoPeople
from library import demo
from library.models import Activity, ActivityVersion
from tests.factories import UserFactory, practice_activity_for

pytestmark = pytest.mark.django_db


def test_demo_adopts_global_items_and_customises_one_once(world):
    people = DemoPeople(owner=world.owner_a, therapists=[world.therapist_a])
    with practice_scope(world.practice_a):
        demo.seed(world.practice_a, people)
        counts = (Activity.objects.count(), ActivityVersion.objects.count())
        demo.seed(world.practice_a, people)
        assert (Activity.objects.count(), ActivityVersion.objects.count()) == counts
        linked = Activity.objects.filter(is_customised=False, origin__isnull=False)
        assert linked.count() == len(demo.USED_AS_IS)
        custom = Activity.objects.select_related("current_version").get(is_customised=True)
    assert custom.shared and custom.current_version.number == 2
    assert "Alpha Practice" in custom.current_version.title
    assert "worry_time_slot" in str(custom.current_version.definition)


def test_the_sync_command_reports_what_it_did(capsys):
    call_command("sync_global_library")
    assert "0 created, 0 updated" in capsys.readouterr().out


def test_admin_lists_curated_and_practice_activities(world, web):
    practice_activity_for(world.practice_a, world.therapist_a)
    admin = web(UserFactory(is_staff=True, is_superuser=True))
    assert admin.get("/django-admin/library/curatedactivity/").status_code == 200
    listing = admin.get("/django-admin/library/activity/")
    assert listing.status_code == 200 and b"Noticing worksheet" in listing.content
    with scopes_disabled():
        activity = Activity.objects.first()
    assert admin.get(f"/django-admin/library/activity/{activity.pk}/change/").status_code == 200
