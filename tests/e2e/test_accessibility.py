"""axe-core (the engine behind most accessibility audits, bundled in axe-playwright-python, so
nothing is downloaded) on the pages people use most, at phone and desktop widths: no serious
or critical violation (missing labels, contrast below WCAG AA, names on buttons and links,
ARIA misuse, landmarks)."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from django_scopes import scopes_disabled

from tests.assignments.fixtures import THOUGHT_RECORD_ANSWERS
from tests.e2e.conftest import DESKTOP, PHONE, portal_sign_in, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

BLOCKING = {"serious", "critical"}


def violations(page) -> list[str]:
    results = Axe().run(page, options={"resultTypes": ["violations"]})
    return [
        f"{page.url}: {v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(node["target"][0] for node in v["nodes"][:3])
        for v in results.response["violations"]
        if v["impact"] in BLOCKING
    ]


@pytest.fixture
def homework(world, acts, assign, submit, global_library):
    """Client A with a thought record sent and a PHQ-9 still to do."""
    record = assign(acts.thought_record)
    measure = assign(acts.phq9)
    with scopes_disabled():
        sent = record.occurrences.first()
        todo = measure.occurrences.first()
    submit(sent, THOUGHT_RECORD_ANSWERS)
    return record, todo


def audit(page, urls) -> list[str]:
    found = []
    for url in urls:
        page.goto(url)
        found += violations(page)
    return found


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_staff_client_and_public_pages_have_no_serious_violations(
    new_page, world, homework, viewport
):
    record, todo = homework
    client = world.client_a.pk
    found = audit(
        new_page(viewport),
        ["/", reverse("account_login"), reverse("portal:sign_in")],
    )

    staff = new_page(viewport)
    sign_in(staff, world.owner_a.email)
    found += audit(
        staff,
        [
            reverse("clients:caseload"),
            reverse("clients:create"),
            reverse("clients:detail", args=[client]),
            reverse("analytics:progress", args=[client]),
            reverse("assignments:session_review", args=[client]),
            reverse("assignments:adherence", args=[client]),
            reverse("assignments:detail", args=[record.pk]),
            reverse("assignments:edit", args=[record.pk]),
            reverse("assignments:create") + f"?client={client}",
            reverse("analytics:dashboard"),
            reverse("analytics:insights"),
            reverse("library:index"),
            reverse("library:activity_create"),
            reverse("pathways:index"),
            reverse("pathways:create"),
            reverse("pathways:library"),
            reverse("accounts:members"),
            reverse("accounts:practice_settings"),
            reverse("accounts:audit_log"),
            reverse("reminders:staff_notifications"),
            reverse("reminders:staff_preferences"),
            reverse("reminders:practice_policy"),
            reverse("reminders:delivery_problems"),
            reverse("reports:branding"),
        ],
    )

    phone = new_page(viewport)
    portal_sign_in(phone, world.client_a.email)
    found += audit(
        phone,
        [
            reverse("portal:home"),
            reverse("portal:occurrence", args=[todo.pk]),
            reverse("portal:history"),
            reverse("pathways_portal:journey"),
        ],
    )
    assert not found, "\n".join(found)


def test_curator_pages_have_no_serious_violations(new_page, world, global_library):
    from library.models import CuratedActivity

    with scopes_disabled():
        curated = CuratedActivity.objects.order_by("slug").first()
    page = new_page(DESKTOP)
    sign_in(page, world.curator.email, next_url="**/curate/")
    found = audit(
        page,
        [
            reverse("library:curate_list"),
            reverse("library:curate_detail", args=[curated.pk]),
            reverse("library:curate_edit", args=[curated.pk]),
            reverse("curate_pathways:index"),
        ],
    )
    assert not found, "\n".join(found)


def test_a_filled_in_measure_and_its_errors_stay_accessible(new_page, world, homework):
    """The worksheet form after a failed submit (errors next to the fields) is audited too."""
    _record, todo = homework
    phone = new_page(PHONE)
    portal_sign_in(phone, world.client_a.email)
    phone.goto(reverse("portal:occurrence", args=[todo.pk]))
    with phone.expect_navigation():
        phone.evaluate("document.getElementById('worksheet-form').submit()")  # nothing answered
    assert phone.locator(".field__error, .errorlist, [role=alert]").count() > 0
    found = violations(phone)
    assert not found, "\n".join(found)
