"""The session review: what happened since the last session, for the start of the next."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db.models import Prefetch, Q
from django.utils import timezone

from assignments.measures import CATEGORIES, band_note, measure_history, plain
from assignments.models import (
    AssignmentMessage,
    CheckIn,
    Flag,
    Occurrence,
    OccurrenceStatus,
    Review,
    TherapySession,
)
from assignments.selectors._common import _light, _shared_entries

# Without a recorded session, the session review looks back this far.
DEFAULT_REVIEW_WINDOW = timedelta(days=14)


@dataclass
class SessionReview:
    since: datetime
    last_session: TherapySession | None
    done: list[Occurrence]
    missed: list[Occurrence]
    checkins: list[CheckIn]
    measures: list[dict]
    questions: list[AssignmentMessage]
    flags: list[Flag]

    # Homework and measures counted apart, as in ``assignments.adherence``.
    @property
    def homework_done(self) -> list[Occurrence]:
        return [o for o in self.done if not o.assignment.is_measure]

    @property
    def homework_missed(self) -> list[Occurrence]:
        return [o for o in self.missed if not o.assignment.is_measure]

    @property
    def measures_done(self) -> int:
        return sum(o.assignment.is_measure for o in self.done)

    @property
    def measures_due(self) -> int:
        return self.measures_done + sum(o.assignment.is_measure for o in self.missed)


def review_since(client, last_session: TherapySession | None, *, now) -> datetime:
    """Where the session review starts: when the last session was recorded, or the end of
    the day it was held on if it was recorded later; without one, two weeks back."""
    if last_session is None:
        return now - DEFAULT_REVIEW_WINDOW
    end_of_day = datetime.combine(
        last_session.held_on + timedelta(days=1), time.min, tzinfo=client.tz
    )
    return min(last_session.created_at, end_of_day)


def session_review(client, *, now=None) -> SessionReview:
    """One page for the start of the next session: what was done and missed since the last
    one, check-ins and obstacles, measure scores and their change, questions and flags."""
    now = now or timezone.now()
    last_session = (
        TherapySession.objects.filter(client=client).order_by("-held_on", "-created_at").first()
    )
    since = review_since(client, last_session, now=now)
    base = Occurrence.objects.filter(client=client).select_related("assignment__activity_version")
    responses = _shared_entries().order_by("entry_number")
    done = list(
        base.filter(submitted_at__gte=since)
        .prefetch_related(
            Prefetch("responses", queryset=responses),
            Prefetch("reviews", queryset=Review.objects.select_related("reviewer")),
        )
        .order_by("submitted_at")
    )
    missed = list(
        base.filter(submitted_at__isnull=True, due_at__gte=since, due_at__lte=now)
        .exclude(status=OccurrenceStatus.CANCELLED)
        .defer(*_light("assignment__activity_version"))
        .order_by("due_at")
    )
    checkins = list(
        CheckIn.objects.filter(
            client=client, created_at__gte=since, response__shared_with_therapist=True
        )
        .select_related("occurrence__assignment__activity_version")
        .defer(*_light("occurrence__assignment__activity_version"))
        .order_by("created_at")
    )
    questions = list(
        AssignmentMessage.objects.filter(client=client, from_client=True, created_at__gte=since)
        .select_related("assignment__activity_version")
        .defer(*_light("assignment__activity_version"))
        .order_by("created_at")
    )
    flags = list(
        Flag.objects.filter(client=client)
        .filter(Q(acknowledged_at__isnull=True) | Q(created_at__gte=since))
        .select_related("assignment__activity_version")
        .defer(*_light("assignment__activity_version"))
    )
    return SessionReview(
        since=since,
        last_session=last_session,
        done=done,
        missed=missed,
        checkins=checkins,
        measures=_measure_changes(client, since),
        questions=questions,
        flags=flags,
    )


def _measure_changes(client, since) -> list[dict]:
    """Each scored entry since ``since`` with the score before it on the same measure, from
    the one measure history (``assignments.measures``), oldest first. The latest entry of a
    measure also carries its outcome category within the episode of care (``outcome``, a
    ``Category`` or None), as the progress page shows it."""
    changes = [
        {
            "title": measure.title,
            "submitted_at": score.submitted_at,
            "total": plain(score.total),
            "band": score.band,
            "severity": score.severity,
            "previous": plain(before),
            "change": None if before is None else plain(score.total - before),
            "band_note": band_note(score.band, score.total, measure.thresholds),
            "outcome": CATEGORIES.get(measure.change.category)
            if score is measure.history[-1]
            else None,
        }
        for measure in measure_history(client)
        for score, before in measure.since(since)
    ]
    return sorted(changes, key=lambda change: change["submitted_at"])
