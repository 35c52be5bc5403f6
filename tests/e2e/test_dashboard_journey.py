"""An owner opens the caseload dashboard, filters to who is slipping, sorts by the latest
score with a header link and with the keyboard, then opens practice insights; at desktop and
phone widths, with screenshots."""

from types import SimpleNamespace

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Role
from library.seeding import sync_global_library
from sampledata.caseload import bulk_caseload
from tests.e2e.conftest import DESKTOP, PHONE, screenshot, sign_in
from tests.factories import MembershipFactory, UserFactory, activity_version_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def practice(transactional_db):
    sync_global_library()
    owner = MembershipFactory(
        role=Role.OWNER, user=UserFactory(email="olivia@dash.test", full_name="Olivia Owner")
    )
    therapist = MembershipFactory(
        practice=owner.practice,
        role=Role.THERAPIST,
        user=UserFactory(email="sam@dash.test", full_name="Sam Rivera"),
    )
    versions = SimpleNamespace(
        mood_log=activity_version_for(owner.practice, "daily-mood-log"),
        phq9=activity_version_for(owner.practice, "phq-9"),
    )
    now = timezone.now()
    # Steady clients, a few who are slipping (entries every 3 days, so fewer done lately),
    # and a newcomer with a single entry.
    bulk_caseload(
        owner.practice,
        therapist.user,
        versions,
        clients=4,
        entries=40,
        now=now,
        every_days=1,
        names=["Jordan Avery", "Priya Shah", "Tom Okafor", "Mei Lin"],
    )
    bulk_caseload(
        owner.practice,
        owner.user,
        versions,
        clients=2,
        entries=4,
        now=now - timezone.timedelta(days=9),
        every_days=6,
        names=["Alex Moreno", "Sofia Rossi"],
    )
    bulk_caseload(
        owner.practice, therapist.user, versions, clients=1, entries=1, now=now, names=["Noah Kim"]
    )
    return owner


def test_dashboard_journey(new_page, practice):
    page = new_page(DESKTOP)
    sign_in(page, "olivia@dash.test")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard").click()
    page.wait_for_url("**/dashboard/")
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    table = page.locator("table.dash-table")
    expect(table.locator("tbody tr")).to_have_count(7)
    screenshot(page, "dashboard")

    # Filter: a plain link, its state in the address.
    page.get_by_role("link", name="Slipping").click()
    page.wait_for_url("**filter=slipping**")
    # The count names its unit ("4 clients", "1 client") so it is not read as homework.
    count_text = page.locator(".dash-filter--current .dash-filter__count").inner_text()
    number, unit = count_text.split()
    slipping = int(number)
    assert unit == ("client" if slipping == 1 else "clients")
    assert 0 < slipping < 7
    expect(table.locator("tbody tr")).to_have_count(slipping)
    expect(page.get_by_role("link", name="Slipping")).to_have_attribute("aria-current", "page")

    # Sort with a column header link.
    page.get_by_role("link", name="All clients").click()
    page.get_by_role("columnheader", name="Latest score").get_by_role("link").click()
    page.wait_for_url("**sort=-score**")
    expect(page.get_by_role("columnheader", name="Latest score")).to_have_attribute(
        "aria-sort", "descending"
    )

    # Sort with the keyboard only.
    page.get_by_label("Sort by").focus()
    page.get_by_label("Sort by").select_option("-name")
    page.keyboard.press("Tab")
    if page.get_by_label("Only my clients").is_visible():
        page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Apply")).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url("**sort=-name**")
    names = table.locator("tbody tr th[scope=row] a.row-link").all_inner_texts()
    flagged = table.locator("tbody tr.dash-row--flagged th[scope=row] a.row-link")
    flagged = flagged.all_inner_texts()
    # Clients with an open flag lead whatever the sort; each group is in the chosen order.
    others = [name for name in names if name not in flagged]
    assert names == flagged + others
    assert flagged == sorted(flagged, reverse=True)
    assert others == sorted(others, reverse=True)

    page.get_by_text("How these are counted").click()
    improving = "Reliable improvement since the baseline of the current episode"
    expect(page.get_by_text(improving)).to_be_visible()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Insights").click()
    page.wait_for_url("**/insights/")
    expect(page.get_by_role("heading", name="Practice insights")).to_be_visible()
    expect(page.get_by_role("img", name="Homework completion by month")).to_be_visible()
    expect(page.get_by_role("heading", name="Completion by therapist")).to_be_visible()
    screenshot(page, "insights")

    phone = new_page(PHONE)
    sign_in(phone, "olivia@dash.test")
    phone.goto("/dashboard/?sort=completion")
    expect(phone.locator("table.dash-table tbody tr")).to_have_count(7)
    screenshot(phone, "dashboard")
    phone.goto("/insights/")
    screenshot(phone, "insights")
