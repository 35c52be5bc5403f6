"""A client, on their phone, asks for a copy of their data and downloads it; an owner runs a
subject-access export from the client's page. The worker builds the zip (eagerly here)."""

import io
import json
import uuid
import zipfile
from pathlib import Path

import pytest

from assignments.services import assigning, completing
from core.tenancy import practice_scope
from tests.assignments.fixtures import THOUGHT_RECORD_ANSWERS, membership_of
from tests.e2e.conftest import DESKTOP, PHONE, portal_sign_in, screenshot, sign_in
from tests.e2e.test_accessibility import violations
from tests.factories import activity_version_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def homework(world):
    version = activity_version_for(world.practice_a, "thought-record")
    with practice_scope(world.practice_a):
        assignment = assigning.assignment_create(
            client=world.client_a,
            actor=membership_of(world.practice_a, world.therapist_a),
            activity_version=version,
        )
        completing.response_submit(
            occurrence=assignment.occurrences.get(),
            client=world.client_a,
            answers=THOUGHT_RECORD_ANSWERS,
            submission_key=uuid.uuid4(),
        )
    return assignment


def _files(path) -> dict[str, bytes]:
    archive = zipfile.ZipFile(io.BytesIO(Path(path).read_bytes()))
    return {name: archive.read(name) for name in archive.namelist()}


def test_a_client_downloads_their_data_on_a_phone(new_page, world, homework):
    phone = new_page(PHONE)
    portal_sign_in(phone, world.client_a.email)
    phone.get_by_role("link", name="History").click()
    phone.get_by_role("link", name="Your data").click()
    phone.get_by_role("heading", name="Your data").wait_for()
    screenshot(phone, "export-portal-start")
    assert violations(phone) == []

    phone.get_by_role("button", name="Prepare my data").click()
    download_link = phone.get_by_role("link", name="Download the zip")
    download_link.wait_for(timeout=30000)
    screenshot(phone, "export-portal-ready")
    assert violations(phone) == []
    with phone.expect_download() as download:
        download_link.click()
    assert download.value.suggested_filename.startswith("alpha-client-my-data-")
    files = _files(download.value.path())
    bundle = json.loads(next(v for k, v in files.items() if k.endswith("fhir-bundle.json")))
    assert bundle["resourceType"] == "Bundle"
    assert any(name.endswith("record.pdf") for name in files)

    phone.reload()
    phone.get_by_text("Downloaded").wait_for()
    screenshot(phone, "export-portal-used")


def test_an_owner_runs_a_subject_access_export(new_page, world, homework):
    page = new_page(DESKTOP)
    sign_in(page, world.owner_a.email)
    page.goto(f"/clients/{world.client_a.pk}/")
    screenshot(page, "export-client-page")
    page.get_by_role("link", name="Subject access export").click()
    page.get_by_role("heading", name="Subject access export").wait_for()
    screenshot(page, "export-staff-start")
    page.get_by_role("button", name="Prepare the export").click()
    link = page.get_by_role("link", name="Download the zip")
    link.wait_for(timeout=30000)
    screenshot(page, "export-staff-ready")
    assert violations(page) == []
    with page.expect_download() as download:
        link.click()
    files = _files(download.value.path())
    assert any(name.endswith("access-log.json") for name in files)

    phone = new_page(PHONE)
    sign_in(phone, world.owner_a.email)
    phone.goto(f"/clients/{world.client_a.pk}/")
    screenshot(phone, "export-client-page")
    phone.goto(f"/clients/{world.client_a.pk}/reports/data-export/")
    screenshot(phone, "export-staff-start")
