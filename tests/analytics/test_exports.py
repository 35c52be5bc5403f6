"""CSV exports: content parsed back, private entries left out, formula injection, audit,
who may download what."""

import csv
import io
from datetime import UTC, datetime

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from accounts.models import AuditEvent
from analytics.selectors import EXPORT_COLUMNS, csv_safe
from tests.analytics import fixtures_dashboard as fx

pytestmark = pytest.mark.django_db
caseload = fx.caseload
frozen = fx.frozen

PRACTICE_URL = reverse("analytics:practice_export")


def client_url(client):
    return reverse("analytics:client_export", args=[client.pk])


def parse(response) -> list[dict]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0].keys()) == list(EXPORT_COLUMNS) if rows else True
    return rows


def test_client_export_has_one_row_per_due_occurrence(world, caseload, frozen, web):
    rows = parse(web(world.therapist_a).get(client_url(caseload.ana)))
    assert len(rows) == 16  # 14 logs + 2 PHQ-9, all due by now
    phq = [r for r in rows if r["activity"].startswith("PHQ-9")]
    assert [(r["due_date_local"], r["score_total"], r["severity_band"]) for r in phq] == [
        ("2025-03-02", "16", "Moderately severe"),
        ("2025-03-16", "8", "Mild"),
    ]
    missed = [r for r in rows if r["due_date_local"] == "2025-03-10"]
    assert missed[0]["status"] == "Missed" and missed[0]["submitted_at_utc"] == ""
    assert missed[0]["on_time"] == ""
    log = next(r for r in rows if r["due_date_local"] == "2025-03-11")
    assert log["status"] == "Submitted" and log["on_time"] == "yes"
    assert log["submitted_at_utc"] == "2025-03-11T20:00:00+00:00"
    assert (log["minutes"], log["helpfulness"]) == ("10", "7")
    assert {r["client"] for r in rows} == {"Ana Abbott"}


def test_local_due_dates_follow_the_clients_time_zone(world, caseload, frozen, web):
    rows = parse(web(world.therapist_a).get(client_url(caseload.ben)))
    first = rows[0]
    # Due 13 March 21:00 in New York = 14 March 01:00 UTC; sent an hour before.
    assert first["due_date_local"] == "2025-03-13"
    assert first["submitted_at_utc"] == "2025-03-14T00:00:00+00:00"
    phq = next(r for r in rows if r["activity"].startswith("PHQ-9"))
    assert phq["status"] == "Submitted late" and phq["on_time"] == "no"


def test_practice_export_is_for_owners_and_admins(world, caseload, frozen, web):
    rows = parse(web(world.owner_a).get(PRACTICE_URL))
    clients = {r["client"] for r in rows}
    assert {"Ana Abbott", "Ben Brook", "Colleague's Client"} <= clients
    assert "Beta Client" not in clients
    assert web(world.therapist_a).get(PRACTICE_URL).status_code == 403
    assert web().get(PRACTICE_URL).status_code == 302


def test_client_export_answers_404_outside_what_you_may_see(world, caseload, frozen, web):
    assert web(world.therapist_b).get(client_url(caseload.ana)).status_code == 404
    assert web(world.owner_b).get(client_url(caseload.ana)).status_code == 404
    assert web(world.colleague_a).get(client_url(caseload.ana)).status_code == 404
    assert web(world.owner_a).get(client_url(caseload.ana)).status_code == 200


def test_each_export_writes_one_audit_row(world, caseload, frozen, web):
    parse(web(world.therapist_a).get(client_url(caseload.ben)))
    parse(web(world.owner_a).get(PRACTICE_URL))
    with scopes_disabled():
        events = AuditEvent.objects.filter(practice=world.practice_a, action="export_csv")
        assert events.filter(actor=world.therapist_a, client_id=caseload.ben.pk).count() == 1
        assert events.filter(actor=world.owner_a, object_type="practice").count() == 1


def test_private_entries_are_not_exported(world, acts, assign, caseload, frozen, web):
    from datetime import date, timedelta

    phq = assign(
        acts.phq9, client=caseload.cleo, visibility="client_only", starts_on=date(2025, 3, 21)
    )
    with scopes_disabled():
        occurrence = phq.occurrences.select_related("client").get()
    fx.send(
        occurrence,
        {f"q{n}": "3" for n in range(1, 10)},
        at=fx.NOW - timedelta(hours=1),
    )  # (a measure has no check-in: minutes and helpfulness are a worksheet's)
    rows = parse(web(world.therapist_a).get(client_url(caseload.cleo)))
    assert len(rows) == 1
    row = rows[0]
    assert row["status"] == "Submitted"  # done shows, what was in it does not
    assert row["score_total"] == row["severity_band"] == ""


def test_formula_injection_is_defused(world, caseload, frozen, web):
    with scopes_disabled():
        caseload.ana.full_name = '=HYPERLINK("http://evil.example","x")'
        caseload.ana.save(update_fields=["full_name"])
    rows = parse(web(world.therapist_a).get(client_url(caseload.ana)))
    assert rows[0]["client"] == "'" + '=HYPERLINK("http://evil.example","x")'


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+44 20", "'+44 20"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("Ana", "Ana"),
        (None, ""),
        (True, "yes"),
        (8.0, 8),
        (-3, -3),  # numbers stay numbers
        (datetime(2025, 1, 1, tzinfo=UTC).isoformat(), "2025-01-01T00:00:00+00:00"),
    ],
)
def test_csv_safe(value, expected):
    assert csv_safe(value) == expected
