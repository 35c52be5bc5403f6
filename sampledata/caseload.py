"""Many clients at once, written with bulk_create: the caseload the dashboard's query-count
tests and ``bench/bench_dashboard.py`` both measure. Neither the tests nor the benchmarks own
it, so neither imports the other."""

from datetime import UTC, timedelta

from django_scopes import scopes_disabled

PHQ9_BANDS = ((0, "Minimal", "minimal"), (5, "Mild", "mild"), (10, "Moderate", "moderate"))
PHQ9_BANDS += ((15, "Moderately severe", "moderately_severe"), (20, "Severe", "severe"))
PER_ASSIGNMENT = 10


def _band(total):
    label, severity = "", ""
    for low, name, level in PHQ9_BANDS:
        if total >= low:
            label, severity = name, level
    return {"label": label, "severity": severity}


def bulk_caseload(
    practice,
    therapist,
    versions,
    *,
    clients: int,
    entries: int,
    now=None,
    every_days: float = 2,
    checkins: bool = True,
    names: list[str] | None = None,
    fast: bool = False,
):
    """``clients`` new clients of ``therapist``, each with ``entries`` occurrences going back
    from ``now`` one every ``every_days`` days (more entries = a longer history): every fifth
    a PHQ-9 (scored), the rest a daily mood log; four in five sent (with a check-in and an
    adherence event), one in ten clients with an open flag. Written with bulk_create, in a
    handful of statements, not through the services. ``versions`` has ``mood_log`` and
    ``phq9`` (activity versions of ``practice``). Returns the new clients."""
    import uuid

    from django.db import transaction
    from django.utils import timezone

    from assignments.models import (
        ActorRole,
        AdherenceEvent,
        Assignment,
        CheckIn,
        EventKind,
        Flag,
        Occurrence,
        Response,
        ResponseRevision,
    )
    from clients.models import Client

    now = now or timezone.now()
    tag = uuid.uuid4().hex[:6]
    rows = {name: [] for name in ("a", "o", "r", "v", "c", "e", "f")}
    with scopes_disabled(), transaction.atomic():
        made = Client.objects.bulk_create(
            [
                Client(
                    practice=practice,
                    primary_therapist=therapist,
                    full_name=names[n % len(names)] if names else f"Bulk {tag} {n:05d}",
                    timezone="Europe/London",
                )
                for n in range(clients)
            ]
        )
        for index, client in enumerate(made):
            assignments = {}
            latest_scored = None
            for i in range(entries):
                scored = i % 5 == 0
                version = versions.phq9 if scored else versions.mood_log
                due_at = now - timedelta(days=every_days * i, hours=1)
                key = (scored, i // (5 * PER_ASSIGNMENT) if scored else i // PER_ASSIGNMENT)
                if key not in assignments:
                    assignments[key] = Assignment(
                        practice=practice,
                        client=client,
                        activity_version=version,
                        assigned_by=therapist,
                        rationale="Bulk",
                        starts_on=due_at.date(),
                        is_measure=scored,
                        # Some logs ask for two entries each time (one entry is part-done).
                        entries_target=2 if not scored and key[1] % 3 == 1 else 1,
                    )
                    rows["a"].append(assignments[key])
                assignment = assignments[key]
                sent = i % 5 != 3
                occurrence = Occurrence(
                    practice=practice,
                    assignment=assignment,
                    client=client,
                    sequence=i + 1,
                    local_date=due_at.date(),
                    due_at=due_at,
                    status="submitted" if sent else "missed",
                    submitted_at=due_at - timedelta(hours=2) if sent else None,
                    opened_at=due_at - timedelta(hours=3) if sent else None,
                )
                rows["o"].append(occurrence)
                if not sent:
                    continue
                total = (i * 7 + index) % 28 if scored else None
                revision_id, key_ = uuid.uuid4(), uuid.uuid4()
                response = Response(
                    practice=practice,
                    occurrence=occurrence,
                    assignment=assignment,
                    client=client,
                    activity_version=version,
                    submission_key=key_,
                    submitted_at=occurrence.submitted_at,
                    current_revision_id=revision_id,
                )
                rows["r"].append(response)
                band = _band(total) if scored else None
                rows["v"].append(
                    ResponseRevision(
                        id=revision_id,
                        practice=practice,
                        response=response,
                        number=1,
                        submission_key=key_,
                        answers={"mood": 6},
                        score={"total": total, "band": band} if scored else None,
                        score_total=total,
                        severity=band["severity"] if band else "",
                    )
                )
                if scored and latest_scored is None:
                    latest_scored = response
                if checkins and not scored:
                    rows["c"].append(
                        CheckIn(
                            practice=practice,
                            response=response,
                            occurrence=occurrence,
                            client=client,
                            helpful=(i + index) % 11,
                            minutes_spent=5 + i % 20,
                        )
                    )
                rows["e"].append(
                    AdherenceEvent(
                        practice=practice,
                        client=client,
                        assignment=assignment,
                        occurrence=occurrence,
                        kind=EventKind.SUBMITTED,
                        actor_role=ActorRole.CLIENT,
                        at=occurrence.submitted_at,
                    )
                )
            if index % 10 == 0 and latest_scored is not None:
                rows["f"].append(
                    Flag(
                        practice=practice,
                        client=client,
                        assignment=latest_scored.assignment,
                        occurrence=latest_scored.occurrence,
                        response=latest_scored,
                        message="Thoughts of self-harm reported (item 9).",
                    )
                )
        insert = _fast_insert if fast else _bulk_insert
        for name, model in (
            ("a", Assignment),
            ("o", Occurrence),
            ("r", Response),
            ("v", ResponseRevision),
            ("c", CheckIn),
            ("e", AdherenceEvent),
            ("f", Flag),
        ):
            insert(model, rows[name])
    return made


def _bulk_insert(model, objects):
    model.objects.bulk_create(objects, batch_size=2000)


def _fast_insert(model, objects, batch: int = 5000):
    """What bulk_create does, minus its per-value preparation (most of its time on a million
    rows): one executemany per batch with the values converted by column type. For the
    benchmark's data only; the rows are complete (pks, practice, timestamps set)."""
    import json

    from django.db import connection, models
    from django.utils import timezone

    now = timezone.now()
    for obj in objects:
        for name in ("created_at", "updated_at"):
            if hasattr(obj, name) and getattr(obj, name) is None:
                setattr(obj, name, now)
    fields = list(model._meta.concrete_fields)
    sqlite = connection.vendor == "sqlite"
    if not sqlite:
        from psycopg2.extras import Json

    def converter(field):
        if isinstance(field, models.UUIDField) or (
            field.is_relation and isinstance(field.target_field, models.UUIDField)
        ):
            return (lambda v: v.hex) if sqlite else str
        if isinstance(field, models.DateTimeField):
            if sqlite:
                return lambda v: v.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
            return None
        if isinstance(field, models.DateField | models.TimeField):
            return (lambda v: v.isoformat()) if sqlite else None
        if isinstance(field, models.JSONField):
            return json.dumps if sqlite else Json
        if isinstance(field, models.BooleanField):
            return int if sqlite else None
        return None

    converters = [(f.attname, converter(f)) for f in fields]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    table = connection.ops.quote_name(model._meta.db_table)
    # Table and column names come from the model, never from input.
    sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608
    rows = [
        tuple(
            None if (v := getattr(obj, attname)) is None else (convert(v) if convert else v)
            for attname, convert in converters
        )
        for obj in objects
    ]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            chunk = rows[start : start + batch]
            if sqlite:
                cursor.executemany(sql, chunk)
            else:  # one multi-row INSERT per batch (psycopg2's executemany is row by row)
                from psycopg2.extras import execute_values

                execute_values(cursor.cursor, sql.replace(f"VALUES ({marks})", "VALUES %s"), chunk)
