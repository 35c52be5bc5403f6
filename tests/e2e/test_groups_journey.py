"""A therapist creates a group, adds two clients from the caseload, assigns one activity to
both, and reads the group page; screenshots at desktop and phone widths."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from assignments.models import Assignment
from tests.e2e.conftest import PHONE, screenshot, sign_in
from tests.factories import ClientFactory, practice_activity_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_therapist_runs_a_group(world, new_page):
    second = ClientFactory(
        practice=world.practice_a, primary_therapist=world.therapist_a, full_name="Robin Second"
    )
    practice_activity_for(world.practice_a, world.therapist_a, title="Noticing urges")
    page = new_page()
    sign_in(page, "therapist@alpha.test")
    page.get_by_role("link", name="Groups").click()
    page.get_by_label("Group name").fill("DBT skills (Tuesday)")
    page.get_by_label("Description").fill("Eight-week skills group.")
    page.get_by_role("button", name="Create group").click()
    expect(page.get_by_role("heading", name="DBT skills (Tuesday)", level=1)).to_be_visible()

    for name in ("Alpha Client", "Robin Second"):
        page.get_by_label("Add a client").select_option(label=name)
        page.get_by_role("button", name="Add to group").click()
        expect(page.get_by_role("link", name=name)).to_be_visible()

    page.get_by_role("link", name="Assign to group").click()
    page.get_by_label("Activity").select_option(index=1)
    page.get_by_label("When they plan to do it").fill("After the group")
    # Tomorrow in the clients' zone: today's due time may already have passed (late at night).
    tomorrow = timezone.now().astimezone(ZoneInfo("Europe/London")).date() + timedelta(days=1)
    page.get_by_label("Due on (first day)").fill(tomorrow.isoformat())
    page.get_by_role("button", name="Assign to 2 members").click()
    expect(page.get_by_text("to 2 members of DBT skills (Tuesday)")).to_be_visible()
    with scopes_disabled():
        assert Assignment.objects.filter(client__in=[world.client_a, second]).count() == 2
    screenshot(page, "group-page")

    phone = new_page(PHONE)
    sign_in(phone, "therapist@alpha.test")
    phone.goto(page.url)
    expect(phone.get_by_role("heading", name="DBT skills (Tuesday)", level=1)).to_be_visible()
    screenshot(phone, "group-page")
