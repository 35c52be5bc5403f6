"""A client's data export: the client's own copy from the portal and an owner's subject
access export. What is in the zip, who may make and fetch it, and a link that works once and
for a day."""

import io
import json
import zipfile
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled
from fhir.resources.R4B.bundle import Bundle

from accounts.models import AuditEvent, Membership
from assignments.models import Flag, FlagAction
from assignments.services import flags as flag_services
from core.tenancy import practice_scope
from reports import client_export
from reports.models import ClientExport, ExportKind
from tests.assignments.fixtures import THOUGHT_RECORD_ANSWERS
from tests.reports.conftest import pdf_text, phq9_answers

pytestmark = pytest.mark.django_db
FLAG_NOTE = "Phoned Alpha; safety plan agreed with her GP"


@pytest.fixture
def record(world, acts, assign, submit):
    """A PHQ-9 with a risk answer whose flag has a therapist's note, and a private entry."""
    answers = phq9_answers(1) | {"q9": "2"}
    submit(assign(acts.phq9), answers)
    private = assign(acts.thought_record, visibility="client_only")
    submit(private, THOUGHT_RECORD_ANSWERS)
    with scopes_disabled():
        flag = Flag.objects.get(client=world.client_a)
        therapist = Membership.objects.get(practice=world.practice_a, user=world.therapist_a)
    with practice_scope(world.practice_a):
        flag_services.flag_respond(
            flag=flag, actor=therapist, actions=[FlagAction.OTHER], note=FLAG_NOTE
        )


def _made(browser, url, capture, data=None):
    """Press the button (a POST); the worker runs when the request commits."""
    with capture(execute=True):
        response = browser.post(url, data or {})
    assert response.status_code == 302, response.status_code
    return response["Location"]


def _download_url(browser, page_url):
    page = browser.get(page_url)
    assert page.status_code == 200
    assert page.context["state"] == "ready", page.context["state"]
    return page.context["download_url"]


def _zip(response) -> dict[str, bytes]:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    return {name: archive.read(name) for name in archive.namelist()}


def _member(name: str, files: dict[str, bytes]) -> bytes:
    return next(content for file, content in files.items() if file.endswith(name))


def test_a_client_downloads_what_they_may_see(
    world, portal, record, django_capture_on_commit_callbacks
):
    browser = portal(world.client_a)
    assert browser.get(reverse("reports:portal_exports")).status_code == 200

    page_url = _made(browser, reverse("reports:portal_exports"), django_capture_on_commit_callbacks)
    files = _zip(browser.get(_download_url(browser, page_url)))

    assert sorted(name.split("-")[-1] for name in files) == [
        "README.txt",
        "bundle.json",
        "record.pdf",
    ]
    bundle = json.loads(_member("fhir-bundle.json", files))
    Bundle.model_validate(bundle)
    kinds = [entry["resource"]["resourceType"] for entry in bundle["entry"]]
    # Their private thought record is theirs too.
    assert kinds.count("QuestionnaireResponse") == 2
    text = pdf_text(_member("record.pdf", files))
    assert "Your data" in text and "Alpha Client" in text
    assert "Kept private" in text
    assert FLAG_NOTE not in text
    assert "Risk flags" not in text
    with scopes_disabled():
        actions = set(
            AuditEvent.objects.filter(client_id=world.client_a.pk).values_list("action", flat=True)
        )
    assert {"export_requested_client", "export_downloaded_client"} <= actions


def test_the_owners_subject_access_export_holds_what_the_portal_does_not(
    world, web, record, django_capture_on_commit_callbacks
):
    browser = web(world.owner_a)
    start = reverse("reports:client_exports", args=[world.client_a.pk])
    assert browser.get(start).status_code == 200

    page_url = _made(browser, start, django_capture_on_commit_callbacks)
    files = _zip(browser.get(_download_url(browser, page_url)))

    Bundle.model_validate(json.loads(_member("fhir-bundle.json", files)))
    text = pdf_text(_member("record.pdf", files))
    assert "Subject access export" in text
    assert FLAG_NOTE in text
    assert "Who opened this record" in text
    log = json.loads(_member("access-log.json", files))
    assert any(row["action"] == "export_requested_subject_access" for row in log)


def test_only_an_owner_runs_a_subject_access_export(world, web):
    url = reverse("reports:client_exports", args=[world.client_a.pk])
    assert web(world.therapist_a).get(url).status_code == 403
    assert web(world.therapist_a).post(url).status_code == 403
    assert web(world.owner_b).get(url).status_code == 404
    with scopes_disabled():
        therapist = Membership.objects.get(practice=world.practice_a, user=world.therapist_a)
    with practice_scope(world.practice_a), pytest.raises(PermissionDenied):
        client_export.export_request(
            client=world.client_a,
            requested_by=world.therapist_a,
            kind=ExportKind.SUBJECT_ACCESS,
            membership=therapist,
        )
    with scopes_disabled():
        assert not ClientExport.objects.exists()


def test_the_link_works_once(world, portal, record, django_capture_on_commit_callbacks):
    browser = portal(world.client_a)
    page_url = _made(browser, reverse("reports:portal_exports"), django_capture_on_commit_callbacks)
    link = _download_url(browser, page_url)
    with scopes_disabled():
        stored = ClientExport.objects.get().file.name
    assert default_storage.exists(stored)

    with django_capture_on_commit_callbacks(execute=True):
        assert browser.get(link).status_code == 200
    again = browser.get(link)

    assert again.status_code == 410
    assert b"already been used or has expired" in again.content
    assert not default_storage.exists(stored)
    assert browser.get(page_url).context["state"] == "used"


def test_the_link_expires_after_a_day(world, portal, record, django_capture_on_commit_callbacks):
    browser = portal(world.client_a)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        page_url = _made(
            browser, reverse("reports:portal_exports"), django_capture_on_commit_callbacks
        )
        link = _download_url(browser, page_url)
        traveller.shift(timedelta(hours=23, minutes=59))
        browser = portal(world.client_a)  # signed in again: portal sessions are shorter
        assert browser.get(page_url).context["state"] == "ready"
        traveller.shift(timedelta(minutes=2))
        assert browser.get(link).status_code == 410
        assert browser.get(page_url).context["state"] == "expired"


def test_a_link_made_for_another_export_does_not_open_this_one(
    world, portal, record, django_capture_on_commit_callbacks
):
    browser = portal(world.client_a)
    first = _made(browser, reverse("reports:portal_exports"), django_capture_on_commit_callbacks)
    link = _download_url(browser, first)
    with scopes_disabled():
        export = ClientExport.objects.get()
        export.nonce = "0" * 32  # as if the export had been made again
        export.save(update_fields=["nonce"])
    assert browser.get(link).status_code == 410
    assert browser.get(link.split("?")[0] + "?t=forged").status_code == 410


def test_the_page_refreshes_while_the_export_is_made(world, portal):
    browser = portal(world.client_a)
    response = browser.post(reverse("reports:portal_exports"))  # the worker has not run yet
    page = browser.get(response["Location"])
    assert page.context["state"] == "waiting"
    assert b'http-equiv="refresh"' in page.content


def test_outsiders_get_404(world, portal, web, record, django_capture_on_commit_callbacks):
    page_url = _made(
        portal(world.client_a),
        reverse("reports:portal_exports"),
        django_capture_on_commit_callbacks,
    )
    assert portal(world.client_b).get(page_url).status_code == 404
    with scopes_disabled():
        export = ClientExport.objects.get()
    # Staff never reach a client's own copy, even the owner of the practice.
    assert web(world.owner_a).get(reverse("reports:export", args=[export.pk])).status_code == 404
    sar_url = _made(
        web(world.owner_a),
        reverse("reports:client_exports", args=[world.client_a.pk]),
        django_capture_on_commit_callbacks,
    )
    assert web(world.owner_b).get(sar_url).status_code == 404
    assert web(world.therapist_a).get(sar_url).status_code == 404
    assert portal(world.client_a).get(sar_url).status_code in (302, 404)


def test_the_fhir_bundle_download_on_the_client_page(world, web, record):
    browser = web(world.therapist_a)
    page = browser.get(reverse("clients:detail", args=[world.client_a.pk]))
    assert b"Download FHIR bundle" in page.content
    assert b"Subject access export" not in page.content  # owners only
    response = browser.get(reverse("reports:client_fhir", args=[world.client_a.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json"
    assert "attachment" in response["Content-Disposition"]
    bundle = json.loads(response.content)
    Bundle.model_validate(bundle)
    kinds = [entry["resource"]["resourceType"] for entry in bundle["entry"]]
    assert kinds.count("QuestionnaireResponse") == 1  # the private entry is not the therapist's
    assert (
        web(world.therapist_b)
        .get(reverse("reports:client_fhir", args=[world.client_a.pk]))
        .status_code
        == 404
    )
    assert (
        b"Subject access export"
        in web(world.owner_a).get(reverse("clients:detail", args=[world.client_a.pk])).content
    )


def test_an_unused_export_is_deleted_from_storage_once_its_link_expires(
    world, portal, record, django_capture_on_commit_callbacks
):
    browser = portal(world.client_a)
    _made(browser, reverse("reports:portal_exports"), django_capture_on_commit_callbacks)
    with scopes_disabled():
        export = ClientExport.objects.get()
    stored = export.file.name
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            client_export.exports_purge_expired(now=export.expires_at - timedelta(minutes=1)) == 0
        )
    assert default_storage.exists(stored)

    with django_capture_on_commit_callbacks(execute=True):
        assert client_export.exports_purge_expired(now=export.expires_at) == 1

    assert not default_storage.exists(stored)
    with scopes_disabled():
        export.refresh_from_db()
    assert not export.file
    assert client_export.link_state(export, now=export.expires_at) == "expired"
