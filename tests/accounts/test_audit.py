import pytest
from django.db import connection
from django_scopes import scopes_disabled

from accounts.models import AuditEvent
from tests.postgres import needs_postgres

pytestmark = pytest.mark.django_db


def audit_rows(practice):
    with scopes_disabled():
        return list(AuditEvent.objects.filter(practice=practice))


def test_opening_a_client_page_writes_one_audit_row(web, world):
    web(world.therapist_a).get(f"/clients/{world.client_a.pk}/")
    (event,) = audit_rows(world.practice_a)
    assert event.actor == world.therapist_a
    assert event.action == "view"
    assert event.object_type == "client"
    assert event.client_id == world.client_a.pk
    assert audit_rows(world.practice_b) == []


def test_reading_a_client_through_the_api_writes_one_audit_row(web, world):
    web(world.therapist_a).get(f"/api/v1/clients/{world.client_a.pk}/")
    (event,) = audit_rows(world.practice_a)
    assert event.action == "api_view"


def test_owners_browse_the_audit_log_and_therapists_cannot(web, world):
    web(world.therapist_a).get(f"/clients/{world.client_a.pk}/")
    page = web(world.owner_a).get("/practice/audit/")
    assert page.status_code == 200
    assert world.therapist_a.email in page.content.decode()
    assert web(world.therapist_a).get("/practice/audit/").status_code == 403


def test_audit_rows_cannot_be_changed_through_the_orm(web, world):
    web(world.therapist_a).get(f"/clients/{world.client_a.pk}/")
    (event,) = audit_rows(world.practice_a)
    event.action = "nothing to see"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()


@needs_postgres
def test_audit_rows_cannot_be_changed_even_with_raw_sql(web, world):
    from django.db import DatabaseError, transaction

    web(world.therapist_a).get(f"/clients/{world.client_a.pk}/")
    # Bypass row-level security (as a sweeper would) so the rows are visible to the
    # statements. As the app role (CI) they fail for want of the right; as the owner or a
    # superuser, the trigger refuses them (tests/platform/test_database_roles.py has both).
    for statement in (
        "UPDATE accounts_auditevent SET action = 'x'",
        "DELETE FROM accounts_auditevent",
    ):
        with (
            pytest.raises(DatabaseError, match=r"append-only|permission denied"),
            scopes_disabled(),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)
    assert len(audit_rows(world.practice_a)) == 1
