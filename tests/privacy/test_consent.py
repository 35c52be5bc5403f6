"""Consent documents: versions an owner publishes and nobody edits; the portal's gate until a
client accepts the required ones (and again after a new version); the crisis page always
open; every acceptance and withdrawal in the audit log with the version's fingerprint."""

import datetime
import hashlib

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scopes_disabled

from accounts.models import AuditEvent
from core.tenancy import practice_scope
from privacy import selectors, services
from privacy.models import ConsentAction, ConsentDocument, ConsentKind, ConsentRecord
from tests.assignments.fixtures import membership_of
from tests.privacy.factories import answer, publish, publish_required

pytestmark = pytest.mark.django_db


def owner_a(world):
    return membership_of(world.practice_a, world.owner_a)


def test_an_owner_publishes_numbered_versions_with_a_fingerprint(world):
    with practice_scope(world.practice_a):
        first = services.consent_document_publish(
            membership=owner_a(world),
            kind=ConsentKind.PRIVACY,
            text="  We keep your notes safe.  ",
            effective_date=datetime.date.today(),
        )
        second = services.consent_document_publish(
            membership=owner_a(world),
            kind=ConsentKind.PRIVACY,
            text="We keep your notes safe, and tell you how.",
            effective_date=datetime.date.today(),
        )
    assert (first.version, second.version) == (1, 2)
    assert first.text == "We keep your notes safe."
    assert first.sha256 == hashlib.sha256(b"We keep your notes safe.").hexdigest()
    with scopes_disabled():
        row = AuditEvent.objects.get(action="consent_publish", object_id=first.sha256)
    assert row.actor == world.owner_a


def test_a_published_version_cannot_be_changed(world):
    doc = publish(world.practice_a, ConsentKind.TREATMENT)
    doc.text = "Something else"
    with practice_scope(world.practice_a), pytest.raises(PermissionError):
        doc.save()


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"kind": "poem", "text": "x"}, "kind"),
        ({"kind": "privacy", "text": "   "}, "text"),
        (
            {"kind": "privacy", "text": "x", "effective_date": datetime.date(2001, 1, 1)},
            "effective_date",
        ),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(world, kwargs, field):
    kwargs.setdefault("effective_date", datetime.date.today())
    with practice_scope(world.practice_a):
        with pytest.raises(ValidationError) as caught:
            services.consent_document_publish(membership=owner_a(world), **kwargs)
        assert field in caught.value.error_dict
        assert not ConsentDocument.objects.exists()


def test_only_an_owner_publishes(world):
    with practice_scope(world.practice_a), pytest.raises(ValidationError):
        services.consent_document_publish(
            membership=membership_of(world.practice_a, world.therapist_a),
            kind=ConsentKind.PRIVACY,
            text="x",
            effective_date=datetime.date.today(),
        )


def test_the_current_version_is_the_newest_in_force(world):
    old = publish(world.practice_a, ConsentKind.PRIVACY)
    future = publish(
        world.practice_a,
        ConsentKind.PRIVACY,
        effective_date=datetime.date.today() + datetime.timedelta(days=10),
    )
    with practice_scope(world.practice_a):
        assert selectors.current_documents(world.practice_a)[ConsentKind.PRIVACY] == old
        with time_machine.travel(datetime.datetime.now() + datetime.timedelta(days=11)):
            assert selectors.current_documents(world.practice_a)[ConsentKind.PRIVACY] == future


# --- The gate ------------------------------------------------------------------------------------


def test_without_published_documents_the_portal_is_open(world, portal):
    assert portal(world.client_a).get(reverse("portal:home")).status_code == 200


def test_the_portal_asks_for_consent_before_homework(world, portal):
    docs = publish_required(world.practice_a)
    publish(world.practice_a, ConsentKind.SMS)  # optional: never asked for here
    browser = portal(world.client_a)
    for name in (
        "portal:home",
        "portal:history",
        "reminders:client_preferences",
        "pathways_portal:journey",
    ):
        response = browser.get(reverse(name))
        assert response.status_code == 302, name
        assert response["Location"] == reverse("privacy:portal_consent")
    # The portal API too.
    assert browser.get("/api/v1/portal/assignments/").status_code == 403
    # Open: help (crisis lines), sign-out, and the privacy pages.
    help_page = browser.get(reverse("portal:help"))
    assert help_page.status_code == 200 and "Need help now?" in help_page.content.decode()
    page = browser.get(reverse("privacy:portal_consent"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Before you start" in body
    for doc in docs:
        assert doc.text in body
    assert "text-message" not in body.lower()

    # Ticking only some boxes: the error is shown, nothing is recorded.
    partial = browser.post(reverse("privacy:portal_consent"), {f"doc_{docs[0].pk}": "on"})
    assert partial.status_code == 400
    assert "Tick this box to continue." in partial.content.decode()
    with scopes_disabled():
        assert not ConsentRecord.objects.exists()

    done = browser.post(reverse("privacy:portal_consent"), {f"doc_{d.pk}": "on" for d in docs})
    assert done.status_code == 302 and done["Location"] == reverse("portal:home")
    assert browser.get(reverse("portal:home")).status_code == 200
    with scopes_disabled():
        rows = AuditEvent.objects.filter(action="consent_accepted", client_id=world.client_a.pk)
        assert {r.object_id for r in rows} == {d.sha256 for d in docs}
        # A client is named by id in the trail, never by email (it could not be erased).
        assert {r.actor_email for r in rows} == {""}


def test_a_new_version_asks_again(world, portal):
    docs = publish_required(world.practice_a)
    for doc in docs:
        answer(world.client_a, doc)
    browser = portal(world.client_a)
    assert browser.get(reverse("portal:home")).status_code == 200
    new = publish(world.practice_a, ConsentKind.PRIVACY, text="Our new privacy notice.")
    response = browser.get(reverse("portal:home"))
    assert response["Location"] == reverse("privacy:portal_consent")
    page = browser.get(reverse("privacy:portal_consent")).content.decode()
    assert "Some documents have changed" in page and "Our new privacy notice." in page
    browser.post(reverse("privacy:portal_consent"), {f"doc_{new.pk}": "on"})
    assert browser.get(reverse("portal:home")).status_code == 200


def test_a_risk_answer_saved_while_consent_is_pending_still_raises_its_flag(
    world, acts, assign, portal
):
    """A page opened before a new version came into force keeps saving: the autosave of an
    answer that signals risk reaches the therapist whatever the gate says."""
    from assignments.models import Flag

    assignment = assign(acts.phq9)
    with scopes_disabled():
        occurrence = assignment.occurrences.get()
    publish_required(world.practice_a)
    browser = portal(world.client_a)
    assert browser.get(f"/portal/do/{occurrence.pk}/").status_code == 302  # gated to read
    saved = browser.post(f"/portal/do/{occurrence.pk}/draft/", {"f.q9": "3"})
    assert saved.status_code == 200
    with scopes_disabled():
        assert Flag.objects.filter(client=world.client_a).exists()


def test_one_practice_s_consent_does_not_open_another(world, portal):
    for doc in publish_required(world.practice_b):
        answer(world.client_b, doc)
    publish_required(world.practice_a)
    assert portal(world.client_a).get(reverse("portal:home")).status_code == 302
    assert portal(world.client_b).get(reverse("portal:home")).status_code == 200


def test_the_gate_costs_one_query(world, django_assert_num_queries):
    for doc in publish_required(world.practice_a):
        answer(world.client_a, doc)
    with scopes_disabled():
        client = type(world.client_a).objects.select_related("practice").get(pk=world.client_a.pk)
    with practice_scope(world.practice_a), django_assert_num_queries(1):
        assert selectors.needs_consent(client) is False


# --- SMS consent -------------------------------------------------------------------------------


def test_a_client_withdraws_sms_consent_from_reminder_settings(world, portal):
    sms = publish(world.practice_a, ConsentKind.SMS, text="We may text you reminders.")
    answer(world.client_a, sms)
    browser = portal(world.client_a)
    page = browser.get(reverse("reminders:client_preferences")).content.decode()
    assert "Stop text messages" in page
    response = browser.post(
        reverse("privacy:portal_sms"),
        {"action": "withdraw", "next": reverse("reminders:client_preferences")},
    )
    assert response["Location"] == reverse("reminders:client_preferences")
    with practice_scope(world.practice_a):
        assert selectors.has_sms_consent(world.client_a) is False
    with scopes_disabled():
        row = AuditEvent.objects.get(action="consent_withdrawn")
    assert row.object_id == sms.sha256 and row.client_id == world.client_a.pk
    page = browser.get(reverse("reminders:client_preferences")).content.decode()
    assert "I agree to text-message reminders" in page


def test_withdrawing_without_an_sms_consent_is_a_clear_message(world, portal):
    browser = portal(world.client_a)
    response = browser.post(reverse("privacy:portal_sms"), {"action": "withdraw"}, follow=True)
    assert "does not offer text-message reminders" in response.content.decode()


# --- What the therapist sees ---------------------------------------------------------------------


def test_the_client_page_shows_consent(world, web):
    treatment, privacy, _terms = publish_required(world.practice_a)
    answer(world.client_a, treatment)
    answer(world.client_a, privacy)
    sms = publish(world.practice_a, ConsentKind.SMS)
    answer(world.client_a, sms, ConsentAction.WITHDRAWN)
    page = web(world.therapist_a).get(reverse("clients:detail", args=[world.client_a.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "Consent" in body and "Agreed" in body and "Waiting" in body and "Withdrawn" in body


def test_the_practice_page_lists_versions_and_publishes(world, web):
    browser = web(world.owner_a)
    url = reverse("privacy:practice_privacy")
    assert "None published" in browser.get(url).content.decode()
    bad = browser.post(url, {"kind": "privacy", "text": "", "effective_date": "2001-01-01"})
    assert bad.status_code == 400
    assert (
        "Write the text" in bad.content.decode() or "This field is required" in bad.content.decode()
    )
    ok = browser.post(
        url,
        {
            "kind": "privacy",
            "text": "Our notice.",
            "effective_date": datetime.date.today().isoformat(),
        },
    )
    assert ok.status_code == 302
    assert "Version 1" in browser.get(url).content.decode()
    # Admins and therapists cannot publish.
    therapist = web(world.therapist_a).post(
        url, {"kind": "privacy", "text": "x", "effective_date": "2030-01-01"}
    )
    assert therapist.status_code == 403


def test_therapists_read_a_version_but_only_managers_see_the_settings(world, web):
    doc = publish(world.practice_a, ConsentKind.TREATMENT, text="We meet weekly.")
    page = web(world.therapist_a).get(reverse("privacy:document", args=[doc.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "We meet weekly." in body and doc.sha256 in body
    assert web(world.therapist_a).get(reverse("privacy:practice_privacy")).status_code == 403
    assert web(world.therapist_b).get(reverse("privacy:document", args=[doc.pk])).status_code == 404
