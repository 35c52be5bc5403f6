"""Erasure: asked for (by staff for a discharged client, or by the client), approved by an
owner, carried out by the worker; afterwards no table, no stored file and no PDF holds the
client's name, email, phone or answers. Retention erases on its own, on time."""

import datetime
import uuid
from pathlib import Path

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from accounts.models import AuditEvent, User
from assignments.services import completing
from caseload.services import client_discharge, flag_field
from clients.models import Client, ClientStatus
from clients.selectors import client_open_flags
from core.tenancy import practice_scope
from privacy import services
from privacy.models import ConsentKind, ErasureRequest, ErasureSource, ErasureStatus
from privacy.tasks import apply_retention
from reminders.services.preferences import client_preference_update
from reports import selectors as report_selectors
from reports import services as report_services
from reports.models import Audience, DocumentStatus, PdfDocument
from tests.assignments.fixtures import THOUGHT_RECORD_ANSWERS, membership_of, phq9_answers
from tests.factories import ClientFactory, portal_user_for
from tests.privacy.factories import answer, publish, publish_required
from tests.reports.conftest import pdf_text

pytestmark = pytest.mark.django_db

NAME = "Zephyrine Quillfeather"
PREFERRED = "Zephy"
EMAIL = "zephyrine.q@quill.test"
PHONE = "+447700900777"
ANSWER = "Marmalade-Lighthouse-7731"
NEEDLES = ["Zephyrine", "Quillfeather", PREFERRED, EMAIL, PHONE, ANSWER]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return Path(settings.MEDIA_ROOT)


def build_client_with_everything(world, acts, assign, submit, capture, portal):
    """A client with every kind of record: answers, a revision, a draft, a check-in, a flag,
    notifications, reminder settings with a phone, consent, a rendered PDF, portal use, a
    discharge summary."""
    client = ClientFactory(
        practice=world.practice_a,
        primary_therapist=world.therapist_a,
        full_name=NAME,
        preferred_name=PREFERRED,
        email=EMAIL,
    )
    user = portal_user_for(client)
    EmailAddress.objects.create(user=user, email=EMAIL, verified=True, primary=True)
    for doc in publish_required(world.practice_a):
        answer(client, doc)
    answer(client, publish(world.practice_a, ConsentKind.SMS))
    browser = portal(client)
    assert browser.get(reverse("portal:home")).status_code == 200  # audit rows as the client

    record = assign(acts.thought_record, client=client)
    phq9 = assign(acts.phq9, client=client)
    with scopes_disabled():
        record_occurrence = record.occurrences.first()
        phq9_occurrence = phq9.occurrences.first()
    answers = {**THOUGHT_RECORD_ANSWERS, "situation": f"{ANSWER} at the bus stop, {PREFERRED}"}
    entry = submit(record_occurrence, answers)
    submit(phq9_occurrence, phq9_answers(item9="3"))
    with practice_scope(world.practice_a):
        completing.response_revise(
            response=entry,
            client=client,
            answers={**answers, "balanced_thought": f"{ANSWER} again"},
            submission_key=uuid.uuid4(),
        )
        completing.checkin_record(response=entry, client=client, helpful=4, obstacles=ANSWER)
        completing.draft_save(
            occurrence=record_occurrence, client=client, answers={"situation": ANSWER}
        )
        client_preference_update(client=client, sms=False, phone=PHONE)
        membership = membership_of(world.practice_a, world.therapist_a)
        spec = report_selectors.response_for_staff(membership, entry.pk)
        with capture(execute=True):
            pdf = report_services.pdf_request(
                practice=world.practice_a,
                requested_by=world.therapist_a,
                audience=Audience.STAFF,
                spec=spec,
            )
        pdf.refresh_from_db()
        assert pdf.status == DocumentStatus.READY
        assert ANSWER in pdf_text(pdf.file.read())
        flags = client_open_flags(client)
        client_discharge(
            client=client,
            actor=membership,
            flag_decisions={flag_field(f): f"Called {PREFERRED}; safe." for f in flags},
            note=f"{NAME} finished well.",
        )
    return client, Path(pdf.file.path)


def _text_columns():
    """Every column of every table, as (table, column)."""
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        for table in tables:
            for column in connection.introspection.get_table_description(cursor, table):
                yield table, column.name


def find_anywhere(needles: list[str]) -> list[tuple[str, str, str]]:
    """(table, column, needle) for every cell in the database holding a needle, whatever
    the column's type (cast to text), case-insensitive."""
    found = []
    qn = connection.ops.quote_name
    with scopes_disabled(), connection.cursor() as cursor:
        for table, column in _text_columns():
            for needle in needles:
                # Table and column names come from the database's own catalogue, quoted.
                sql = f"SELECT COUNT(*) FROM {qn(table)} WHERE LOWER(CAST({qn(column)} AS TEXT)) LIKE %s"  # noqa: E501, S608
                cursor.execute(sql, [f"%{needle.lower()}%"])
                if cursor.fetchone()[0]:
                    found.append((table, column, needle))
    return found


def find_in_storage(root: Path, needles: list[str]) -> list[tuple[str, str]]:
    """(file, needle) for every stored file whose bytes, or text if a PDF, hold a needle."""
    found = []
    for path in root.rglob("*") if root.exists() else []:
        if not path.is_file():
            continue
        content = path.read_bytes()
        text = content.decode("latin-1")
        if content.startswith(b"%PDF"):
            text += pdf_text(content)
        found += [(str(path), n) for n in needles if n.lower() in (text + path.name).lower()]
    return found


def test_erasure_leaves_nothing_identifying_anywhere(
    world, acts, assign, submit, portal, web, media, django_capture_on_commit_callbacks
):
    client, pdf_path = build_client_with_everything(
        world, acts, assign, submit, django_capture_on_commit_callbacks, portal
    )
    assert find_anywhere([NAME, EMAIL, ANSWER])  # the search does find what is there
    assert pdf_path.exists() and find_in_storage(media, [ANSWER])
    with scopes_disabled():
        user_id = client.user_id

    # Step one: the therapist asks. Step two: an owner approves; the worker erases.
    asked = web(world.therapist_a).post(
        reverse("privacy:client_erasure_request", args=[client.pk]), follow=True
    )
    assert "An owner of the practice must approve it." in asked.content.decode()
    with scopes_disabled():
        erasure = ErasureRequest.objects.get(client=client)
    assert erasure.status == ErasureStatus.PENDING
    with django_capture_on_commit_callbacks(execute=True):
        approved = web(world.owner_a).post(reverse("privacy:erasure_approve", args=[erasure.pk]))
    assert approved.status_code == 302

    assert find_anywhere(NEEDLES) == []
    assert find_in_storage(media, NEEDLES) == []
    assert not pdf_path.exists()
    with scopes_disabled():
        assert not Client.objects.filter(pk=client.pk).exists()
        assert not PdfDocument.objects.filter(pk__isnull=False, client_id=client.pk).exists()
        erasure.refresh_from_db()
        assert erasure.status == ErasureStatus.DONE and erasure.client_id is None
        assert erasure.pseudonym == services.pseudonym(client.pk)
        assert erasure.approved_by == world.owner_a
        erased = AuditEvent.objects.get(action="client_erased")
        assert erased.object_id == erasure.pseudonym and erased.client_id is None
        approval = AuditEvent.objects.get(action="erasure_approve")
        assert approval.actor == world.owner_a
        # The sign-in is anonymised (audit rows point at it and are append-only).
        user = User.objects.get(pk=user_id)
        assert not user.is_active and not user.has_usable_password()
    # The practice page now shows the pseudonym, not the person.
    page = web(world.owner_a).get(reverse("privacy:practice_privacy")).content.decode()
    assert erasure.pseudonym[:10] in page and "Zephyrine" not in page


def test_an_active_client_cannot_be_erased(world, web):
    response = web(world.therapist_a).post(
        reverse("privacy:client_erasure_request", args=[world.client_a.pk]), follow=True
    )
    assert "Only a discharged client can be erased" in response.content.decode()
    with scopes_disabled():
        assert not ErasureRequest.objects.exists()


def test_a_client_may_ask_but_an_owner_approves_only_after_discharge(world, portal, web):
    browser = portal(world.client_a)
    assert browser.get(reverse("privacy:portal_privacy")).status_code == 200
    response = browser.post(reverse("privacy:portal_erasure"), follow=True)
    assert "We have your request" in response.content.decode()
    with scopes_disabled():
        erasure = ErasureRequest.objects.get(client=world.client_a)
    assert erasure.source == ErasureSource.CLIENT
    page = web(world.owner_a).get(reverse("privacy:practice_privacy")).content.decode()
    assert "Alpha Client" in page and "Asked by the client" in page
    refused = web(world.owner_a).post(
        reverse("privacy:erasure_approve", args=[erasure.pk]), follow=True
    )
    assert "not discharged" in refused.content.decode()
    with scopes_disabled():
        erasure.refresh_from_db()
        assert erasure.status == ErasureStatus.PENDING
        assert Client.objects.filter(pk=world.client_a.pk).exists()


def test_only_an_owner_approves(world, web):
    with scopes_disabled():
        Client.objects.filter(pk=world.client_a.pk).update(
            status=ClientStatus.DISCHARGED, discharged_at=timezone.now()
        )
    with practice_scope(world.practice_a):
        erasure = services.erasure_request_create(
            client=Client.objects.get(pk=world.client_a.pk), actor=world.therapist_a
        )
    response = web(world.therapist_a).post(reverse("privacy:erasure_approve", args=[erasure.pk]))
    assert response.status_code == 403
    # An owner of another practice: not found.
    outsider = web(world.owner_b).post(reverse("privacy:erasure_approve", args=[erasure.pk]))
    assert outsider.status_code == 404
    with practice_scope(world.practice_a):
        with pytest.raises(ValidationError):
            services.client_erase(erasure=erasure)  # not approved: nothing happens
        assert Client.objects.filter(pk=world.client_a.pk).exists()


# --- Retention ---------------------------------------------------------------------------------


def discharge_on(client, when):
    with scopes_disabled():
        Client.objects.filter(pk=client.pk).update(
            status=ClientStatus.DISCHARGED, discharged_at=when
        )


def test_retention_erases_clients_discharged_longer_ago_than_the_practice_keeps(world):
    # Discharged on a spring day; the practice keeps records two years. The clock goes
    # forward an hour on the last Sunday of March in London: the run that night still counts
    # whole years.
    discharged = datetime.datetime(2024, 3, 30, 12, 0, tzinfo=datetime.UTC)
    discharge_on(world.client_a, discharged)
    with practice_scope(world.practice_a):
        services.retention_set(
            membership=membership_of(world.practice_a, world.owner_a), retention_years=2
        )
    with time_machine.travel(datetime.datetime(2026, 3, 29, 3, 0, tzinfo=datetime.UTC)):
        apply_retention()
    with scopes_disabled():
        assert Client.objects.filter(pk=world.client_a.pk).exists()
    with time_machine.travel(datetime.datetime(2026, 3, 30, 12, 1, tzinfo=datetime.UTC)):
        apply_retention()
    with scopes_disabled():
        assert not Client.objects.filter(pk=world.client_a.pk).exists()
        erasure = ErasureRequest.objects.get(pseudonym=services.pseudonym(world.client_a.pk))
        assert erasure.source == ErasureSource.RETENTION and erasure.status == ErasureStatus.DONE
        assert AuditEvent.objects.filter(action="erasure_retention").count() == 1
        assert AuditEvent.objects.filter(action="client_erased").count() == 1
        # Practice B keeps its default (8 years): its discharged client stays.
        assert Client.objects.filter(pk=world.client_b.pk).exists()


def test_retention_keeps_active_clients_and_the_default_is_eight_years(world):
    discharge_on(world.client_b, datetime.datetime(2010, 1, 1, tzinfo=datetime.UTC))
    with time_machine.travel(datetime.datetime(2017, 12, 31, tzinfo=datetime.UTC)):
        apply_retention()
    with scopes_disabled():
        assert Client.objects.filter(pk=world.client_b.pk).exists()
    with time_machine.travel(datetime.datetime(2018, 1, 2, tzinfo=datetime.UTC)):
        apply_retention()
    with scopes_disabled():
        assert not Client.objects.filter(pk=world.client_b.pk).exists()
        assert Client.objects.filter(pk=world.client_a.pk).exists()  # active


def test_retention_setting_bad_input(world, web):
    response = web(world.owner_a).post(reverse("privacy:retention"), {"retention_years": "0"})
    assert response.status_code == 400
    assert "greater than or equal to 1" in response.content.decode()


def test_the_retention_job_is_scheduled(settings):
    assert settings.CELERY_BEAT_SCHEDULE["privacy-apply-retention"]["task"] == (
        "privacy.apply_retention"
    )
