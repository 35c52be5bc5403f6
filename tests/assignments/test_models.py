"""The database itself refuses to rewrite submitted answers and the adherence log."""

import pytest
import time_machine
from django.db import DatabaseError, connection, transaction
from django_scopes import scopes_disabled

from assignments.models import AdherenceEvent, ResponseRevision
from tests.assignments.fixtures import THOUGHT_RECORD_ANSWERS
from tests.postgres import postgres_only

pytestmark = [pytest.mark.django_db, *postgres_only]


@time_machine.travel("2025-06-02 08:00:00+00:00", tick=False)
def test_postgres_refuses_updates_to_answers_and_the_log(world, acts, assign, submit):
    assignment = assign(acts.thought_record)
    with scopes_disabled():
        occurrence = assignment.occurrences.get()
    response = submit(occurrence, THOUGHT_RECORD_ANSWERS)
    with scopes_disabled():
        revision = ResponseRevision.objects.get(response=response)
        event = AdherenceEvent.objects.filter(assignment=assignment).first()
    # Past the first wall (django-scopes and row-level security) on purpose: this is the last.
    with scopes_disabled(), connection.cursor() as cursor:
        with pytest.raises(DatabaseError, match="never changed"), transaction.atomic():
            cursor.execute(
                "UPDATE assignments_responserevision SET answers = '{}'::jsonb WHERE id = %s",
                [revision.pk],
            )
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            cursor.execute(
                "UPDATE assignments_adherenceevent SET kind = 'reviewed' WHERE id = %s",
                [event.pk],
            )
        # Deleting an account only clears who did it; the rows stay.
        cursor.execute(
            "UPDATE assignments_responserevision SET created_by_id = NULL WHERE id = %s",
            [revision.pk],
        )
        cursor.execute(
            "UPDATE assignments_adherenceevent SET actor_id = NULL WHERE id = %s", [event.pk]
        )


def test_postgres_refuses_updates_to_the_flag_history(world, acts, assign, submit):
    from assignments.models import Flag
    from assignments.services import flags
    from core.tenancy import practice_scope
    from tests.assignments.fixtures import membership_of, phq9_answers

    with time_machine.travel("2025-06-02 08:00:00+00:00", tick=False):
        assignment = assign(acts.phq9)
        with scopes_disabled():
            submit(assignment.occurrences.get(), phq9_answers(item9="1"))
    with scopes_disabled():
        flag = Flag.objects.get()
    with practice_scope(world.practice_a):
        event = flags.flag_respond(
            flag=flag,
            actor=membership_of(world.practice_a, world.therapist_a),
            actions=["assessed_risk"],
        )
    with scopes_disabled(), connection.cursor() as cursor:
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            cursor.execute(
                "UPDATE assignments_flagevent SET note = 'rewritten' WHERE id = %s", [event.pk]
            )
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            cursor.execute(
                "UPDATE assignments_flagevent SET actions = '[]'::jsonb WHERE id = %s", [event.pk]
            )
        # Deleting an account only clears the link; the name as recorded stays.
        cursor.execute("UPDATE assignments_flagevent SET actor_id = NULL WHERE id = %s", [event.pk])
