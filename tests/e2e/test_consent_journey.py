"""Consent and erasure, as people meet them: a new client signs in on a phone, is shown the
practice's documents first, agrees, and then sees their homework; an owner approves the
erasure of a discharged client and the client is gone."""

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from clients.models import Client, ClientStatus
from privacy.models import ConsentKind, ErasureRequest
from tests.e2e.conftest import DESKTOP, PHONE, screenshot, sign_in, sign_in_link
from tests.factories import ClientFactory, portal_user_for
from tests.privacy.factories import publish

pytestmark = pytest.mark.django_db(transaction=True)

TEXTS = {
    ConsentKind.TREATMENT: "We meet weekly. Between sessions your therapist may suggest short "
    "exercises; you choose how much to do.",
    ConsentKind.PRIVACY: "We keep what you write to provide your therapy and for nothing else."
    "\n\nYou can ask us to erase it at any time.",
    ConsentKind.PORTAL_TERMS: "The portal is not watched around the clock. If you need help "
    "now, use 'Need help now?'.",
    ConsentKind.SMS: "We may text you reminders that never say what the homework is about.",
}


@pytest.fixture
def documents(world):
    return {kind: publish(world.practice_a, kind, text=text) for kind, text in TEXTS.items()}


def _sign_in_to_consent(page, email):
    """The emailed-link sign-in, which now lands on the consent page."""
    page.goto("/portal/sign-in/")
    page.get_by_label("Your email address").fill(email)
    page.get_by_role("button", name="Email me a sign-in link").click()
    page.wait_for_url("**/sign-in/code/")
    page.goto(sign_in_link(email))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/portal/privacy/consent/")


def test_a_new_client_agrees_before_seeing_homework(new_page, world, acts, assign, documents):
    assign(acts.thought_record)
    phone = new_page(PHONE)
    _sign_in_to_consent(phone, world.client_a.email)
    expect(phone.get_by_role("heading", name="Before you start")).to_be_visible()
    expect(phone.get_by_role("link", name="Need help now?")).to_be_visible()
    for kind in (ConsentKind.TREATMENT, ConsentKind.PRIVACY, ConsentKind.PORTAL_TERMS):
        expect(phone.get_by_text(TEXTS[kind].split("\n")[0])).to_be_visible()
    expect(phone.get_by_text(TEXTS[ConsentKind.SMS])).to_have_count(0)
    screenshot(phone, "consent-first-sign-in")

    # Homework stays out of reach until every box is ticked.
    phone.goto("/portal/")
    phone.wait_for_url("**/portal/privacy/consent/")
    phone.get_by_label("I have read and agree to the treatment agreement").check()
    phone.get_by_role("button", name="Agree and continue").click()
    expect(phone.get_by_text("Tick this box to continue.").first).to_be_visible()
    screenshot(phone, "consent-missing-box")
    phone.get_by_label("I have read and agree to the privacy notice").check()
    phone.get_by_label("I have read and agree to the portal terms").check()
    phone.get_by_role("button", name="Agree and continue").click()

    phone.wait_for_url("**/portal/")
    expect(phone.get_by_text("Thought record").first).to_be_visible()

    # Text messages need their own, separate agreement.
    phone.goto("/portal/privacy/")
    expect(phone.get_by_role("heading", name="Your privacy")).to_be_visible()
    screenshot(phone, "consent-your-privacy")
    phone.get_by_role("button", name="I agree to text-message reminders").click()
    expect(phone.get_by_role("button", name="Stop text messages")).to_be_visible()

    # A new privacy notice: on the next sign-in (a computer this time) it is asked for again.
    publish(world.practice_a, ConsentKind.PRIVACY, text="Our new privacy notice, in plain words.")
    desktop = new_page(DESKTOP)
    _sign_in_to_consent(desktop, world.client_a.email)
    expect(desktop.get_by_role("heading", name="Some documents have changed")).to_be_visible()
    expect(desktop.get_by_text("Our new privacy notice, in plain words.")).to_be_visible()
    screenshot(desktop, "consent-changed")
    desktop.get_by_label("I have read and agree to the privacy notice").check()
    desktop.get_by_role("button", name="Agree and continue").click()
    desktop.wait_for_url("**/portal/")
    desktop.goto("/portal/privacy/")
    screenshot(desktop, "consent-your-privacy")


def test_an_owner_approves_the_erasure_of_a_discharged_client(new_page, world):
    with scopes_disabled():
        gone = ClientFactory(
            practice=world.practice_a,
            primary_therapist=world.therapist_a,
            full_name="Rowan Ashdown",
            email="rowan@alpha.test",
            status=ClientStatus.DISCHARGED,
            discharged_at=timezone.now(),
        )
    portal_user_for(gone)

    therapist = new_page(DESKTOP)
    sign_in(therapist, world.therapist_a.email)
    therapist.goto(f"/clients/{gone.pk}/")
    expect(therapist.get_by_role("heading", name="Consent")).to_be_visible()
    therapist.get_by_role("button", name="Request erasure…").click()
    expect(therapist.get_by_text("An owner of the practice must approve it.")).to_be_visible()
    screenshot(therapist, "erasure-requested-client-page")

    for viewport in (PHONE, DESKTOP):
        owner = new_page(viewport)
        sign_in(owner, world.owner_a.email)
        owner.goto("/practice/privacy/")
        expect(
            owner.get_by_role("heading", name="Erasure requests waiting for an owner")
        ).to_be_visible()
        screenshot(owner, "erasure-waiting")
    owner.get_by_role("button", name="Approve erasure of Rowan Ashdown").click()
    expect(owner.get_by_text("Approved. The client's records are being erased.")).to_be_visible()
    expect(owner.get_by_role("heading", name="Past erasures")).to_be_visible()
    screenshot(owner, "erasure-done")
    with scopes_disabled():
        assert not Client.objects.filter(pk=gone.pk).exists()
        assert ErasureRequest.objects.get().approved_by == world.owner_a
