"""Demo homework for `manage.py seed_demo`: every state an assignment can be in, with a past.

The history (entries sent last week, reviews, missed days) is written with the times it would
have had, so the adherence log, the session review and the caseload read like a real week.
New rows go through the same engine checks as real ones (answers are cleaned and scored).
Idempotent: a client who already has homework assigned by hand is left alone.
"""

import uuid
from datetime import datetime, time, timedelta

from django.utils import timezone

from accounts.models import Membership
from assignments.models import (
    MISSED_AFTER,
    ActorRole,
    AdherenceEvent,
    Assignment,
    AssignmentMessage,
    AssignmentStatus,
    CheckIn,
    Draft,
    EventKind,
    Flag,
    Occurrence,
    OccurrenceStatus,
    Response,
    ResponseRevision,
    Review,
    TherapySession,
    Visibility,
)
from assignments.schedule import due_at
from clients.models import ClientStatus
from library.models import CuratedActivity
from library.services import activity_version_for_assignment
from worksheets import clean_response, score_response

THOUGHT = {
    "situation": "Team meeting on Tuesday. I shared an idea and nobody responded.",
    "emotions": [{"emotion": "Embarrassed", "intensity": 75}, {"emotion": "Sad", "intensity": 50}],
    "thoughts": [
        {"thought": "They think my idea was stupid.", "hot": ["hot"], "belief": 80},
        {"thought": "I should have kept quiet.", "belief": 60},
    ],
    "thinking_traps": ["mind_reading", "shoulds"],
    "evidence_for": "Nobody said anything straight after.",
    "evidence_against": "Two people asked about it after the meeting. The agenda was running late.",
    "balanced_thought": "People were rushing; silence in a late meeting isn't a verdict on me.",
    "balanced_belief": 65,
    "emotions_after": [{"emotion": "Embarrassed", "intensity": 35}],
}


def _phq9(level: int, item9: int = 0) -> dict:
    answers = {f"q{n}": str(level if n % 2 else max(level - 1, 0)) for n in range(1, 9)}
    answers["q9"] = str(item9)
    return answers


GAD7 = {f"q{n}": str(1 + n % 2) for n in range(1, 8)}
WORRY = {
    "worry_time": "18:30",
    "worry_minutes": 15,
    "worries": [{"worry": "Money at the end of the month", "still_worried": "yes"}],
}


class _Week:
    """One client's demo week: assignments made some days ago and what happened since."""

    def __init__(self, practice, client, therapist):
        self.practice = practice
        self.client = client
        self.actor = Membership.objects.get(practice=practice, user=therapist)
        self.tz = client.tz
        self.now = timezone.now()
        self.today = timezone.localdate(self.now, self.tz)

    def at(self, days: int, hour: int, minute: int = 0) -> datetime:
        """``days`` from today (negative: in the past), at a local time."""
        local = datetime.combine(self.today + timedelta(days=days), time(hour, minute))
        return local.replace(tzinfo=self.tz)

    def event(self, assignment, kind, at, *, occurrence=None, by_client=False, **detail):
        AdherenceEvent.objects.create(
            practice=self.practice,
            client=self.client,
            assignment=assignment,
            occurrence=occurrence,
            kind=kind,
            actor=self.client.user if by_client else self.actor.user,
            actor_role=ActorRole.CLIENT if by_client else ActorRole.THERAPIST,
            at=at,
            detail=detail,
        )

    def assign(self, slug, *, start: int, kind="once", assigned: int | None = None, **plan):
        curated = CuratedActivity.objects.get(slug=slug)
        version = activity_version_for_assignment(
            practice=self.practice, actor=self.actor, curated_activity=curated
        )
        assignment = Assignment.objects.create(
            practice=self.practice,
            client=self.client,
            activity_version=version,
            assigned_by=self.actor.user,
            rationale=version.rationale,
            instructions="\n".join(version.instructions),
            schedule_kind=kind,
            starts_on=self.today + timedelta(days=start),
            **plan,
        )
        created = self.at(min(start, 0) if assigned is None else assigned, 10)
        Assignment.objects.filter(pk=assignment.pk).update(created_at=created)
        Occurrence.objects.bulk_create(
            Occurrence(
                practice=self.practice,
                assignment=assignment,
                client=self.client,
                sequence=number,
                local_date=day,
                due_at=due_at(day, assignment.due_time, self.tz),
            )
            for number, day in enumerate(assignment.schedule.local_dates(), start=1)
        )
        self.event(assignment, EventKind.ASSIGNED, created, schedule=assignment.schedule.describe())
        return assignment, list(assignment.occurrences.order_by("sequence"))

    def send(self, occurrence, answers, sent_at, *, shared=True, checkin=None):
        assignment = occurrence.assignment
        definition = assignment.activity_version.definition
        cleaned = clean_response(definition, answers)
        entry = occurrence.responses.count() + 1
        key = uuid.uuid4()
        response = Response.objects.create(
            practice=self.practice,
            occurrence=occurrence,
            assignment=assignment,
            client=self.client,
            activity_version=assignment.activity_version,
            entry_number=entry,
            submission_key=key,
            submitted_at=sent_at,
            submitted_by=self.client.user,
            shared_with_therapist=shared,
        )
        result = score_response(definition, cleaned)
        revision = ResponseRevision.objects.create(
            practice=self.practice,
            response=response,
            number=1,
            submission_key=key,
            answers=cleaned,
            score=result.as_dict() if result else None,
            score_total=result.total if result else None,
            severity=result.band.severity if result and result.band else "",
            created_by=self.client.user,
        )
        Response.objects.filter(pk=response.pk).update(current_revision=revision)
        Occurrence.objects.filter(pk=occurrence.pk).update(
            status=OccurrenceStatus.SUBMITTED,
            opened_at=sent_at - timedelta(minutes=20),
            started_at=sent_at - timedelta(minutes=18),
            submitted_at=occurrence.submitted_at or sent_at,
        )
        occurrence.submitted_at = occurrence.submitted_at or sent_at
        late = sent_at > occurrence.due_at
        self.event(
            assignment,
            EventKind.OPENED,
            sent_at - timedelta(minutes=20),
            occurrence=occurrence,
            by_client=True,
        )
        self.event(
            assignment,
            EventKind.SUBMITTED,
            sent_at,
            occurrence=occurrence,
            by_client=True,
            entry=entry,
            late=late,
        )
        for flag in result.flags if result else []:
            raised = Flag.objects.create(
                practice=self.practice,
                client=self.client,
                assignment=assignment,
                occurrence=occurrence,
                response=response,
                field_id=flag.field,
                message=flag.message,
            )
            Flag.objects.filter(pk=raised.pk).update(created_at=sent_at)
            self.event(
                assignment,
                EventKind.FLAG_RAISED,
                sent_at,
                occurrence=occurrence,
                field=flag.field,
                message=flag.message,
            )
        if checkin:
            row = CheckIn.objects.create(
                practice=self.practice,
                response=response,
                occurrence=occurrence,
                client=self.client,
                **checkin,
            )
            CheckIn.objects.filter(pk=row.pk).update(created_at=sent_at + timedelta(minutes=1))
            self.event(
                assignment,
                EventKind.CHECKED_IN,
                sent_at + timedelta(minutes=1),
                occurrence=occurrence,
                by_client=True,
            )
        return response

    def review(self, occurrence, at, comment="", rating=None):
        review = Review.objects.create(
            practice=self.practice,
            occurrence=occurrence,
            client=self.client,
            reviewer=self.actor.user,
            comment=comment,
            rating=rating,
        )
        Review.objects.filter(pk=review.pk).update(created_at=at)
        Occurrence.objects.filter(pk=occurrence.pk).update(
            status=OccurrenceStatus.REVIEWED, reviewed_at=at
        )
        self.event(
            occurrence.assignment,
            EventKind.REVIEWED,
            at,
            occurrence=occurrence,
            rating=rating,
            commented=bool(comment),
        )

    def miss(self, occurrence):
        """Recorded as the sweeper would have, twelve hours after the due time."""
        at = occurrence.due_at + MISSED_AFTER
        Occurrence.objects.filter(pk=occurrence.pk).update(
            status=OccurrenceStatus.MISSED, missed_at=at
        )
        AdherenceEvent.objects.create(
            practice=self.practice,
            client=self.client,
            assignment=occurrence.assignment,
            occurrence=occurrence,
            kind=EventKind.MISSED,
            actor_role=ActorRole.SYSTEM,
            at=at,
            detail={"due_at": occurrence.due_at.isoformat()},
        )

    def open(self, occurrence, at, draft=None):
        status = OccurrenceStatus.IN_PROGRESS if draft else OccurrenceStatus.OPENED
        Occurrence.objects.filter(pk=occurrence.pk).update(
            status=status, opened_at=at, started_at=at if draft else None
        )
        self.event(
            occurrence.assignment, EventKind.OPENED, at, occurrence=occurrence, by_client=True
        )
        if draft:
            definition = occurrence.assignment.activity_version.definition
            Draft.objects.create(
                practice=self.practice,
                occurrence=occurrence,
                client=self.client,
                answers=clean_response(definition, draft, draft=True),
            )
            self.event(
                occurrence.assignment, EventKind.STARTED, at, occurrence=occurrence, by_client=True
            )

    def ask(self, assignment, body, at, *, from_client=True):
        message = AssignmentMessage.objects.create(
            practice=self.practice,
            assignment=assignment,
            client=self.client,
            author=self.client.user if from_client else self.actor.user,
            from_client=from_client,
            body=body,
        )
        AssignmentMessage.objects.filter(pk=message.pk).update(created_at=at)
        kind = EventKind.QUESTION_ASKED if from_client else EventKind.QUESTION_ANSWERED
        self.event(assignment, kind, at, by_client=from_client)

    def session(self, days: int):
        session = TherapySession.objects.create(
            practice=self.practice,
            client=self.client,
            held_on=self.today + timedelta(days=days),
            recorded_by=self.actor.user,
        )
        TherapySession.objects.filter(pk=session.pk).update(created_at=self.at(days, 17))


def _practising_thought_records(week: _Week) -> None:
    """Started well, then slipped; a question waiting; today's one half done."""
    week.session(-7)
    daily, days = week.assign(
        "thought-record",
        start=-6,
        assigned=-7,
        kind="daily",
        repeat_days=8,
        plan_when="After dinner, before the TV goes on",
        plan_where="Kitchen table",
        obstacles="Too tired after late shifts",
        if_then_plan="If I'm wiped out, then I'll write just the situation and the hot thought.",
        confidence=7,
        personal_message="One a day is plenty. Short is fine!",
    )
    week.send(
        days[0],
        THOUGHT,
        week.at(-6, 19, 30),
        checkin={
            "helpful": 7,
            "difficulty": 5,
            "minutes_spent": 18,
            "obstacles": "Hard to find a quiet moment with the kids around.",
        },
    )
    week.review(
        days[0],
        week.at(-5, 9),
        "Great catch of the mind reading. Let's look at the second thought next session.",
        rating=8,
    )
    week.send(
        days[1],
        THOUGHT,
        week.at(-5, 20, 10),
        checkin={"helpful": 8, "difficulty": 4, "minutes_spent": 12, "obstacles": ""},
    )
    week.send(
        days[2],
        THOUGHT,
        week.at(-3, 7, 40),
        checkin={
            "helpful": 6,
            "difficulty": 6,
            "minutes_spent": 20,
            "obstacles": "Fell asleep on the sofa, did it the next morning.",
        },
    )
    week.miss(days[3])
    week.miss(days[4])
    week.open(days[6], week.at(0, 8), draft={"situation": "On the bus this morning, a text from"})
    week.ask(daily, "Do I need to fill in every column every time?", week.at(-2, 21, 15))
    _, (sent, today) = week.assign(
        "phq-9",
        start=-7,
        assigned=-8,
        kind="weekdays",
        weekdays=[(week.today - timedelta(days=7)).weekday()],
        weeks=2,
    )
    week.send(sent, _phq9(2), week.at(-7, 12))
    week.review(sent, week.at(-7, 15), rating=7)
    week.open(today, week.at(0, 8, 5))


def _activity_logs_and_a_flag(week: _Week) -> None:
    """Doing well on behavioural activation; a PHQ-9 with item 9 raised a flag."""
    week.session(-8)
    _, logs = week.assign(
        "activity-log",
        start=-7,
        assigned=-8,
        kind="times_per_week",
        times_per_week=3,
        weeks=2,
        plan_when="Evenings, after the walk",
        confidence=8,
    )
    for index, occurrence in enumerate(logs[:3]):
        when = week.at(-5 + 2 * index, 18, 45)
        week.send(
            occurrence,
            {
                "date": when.date().isoformat(),
                "activity": ["Walk by the river", "Called my sister", "Cooked a proper dinner"][
                    index
                ],
                "mastery": 5 + index,
                "pleasure": 6 + index,
            },
            when,
            checkin={"helpful": 8, "difficulty": 3, "minutes_spent": 5, "obstacles": ""},
        )
    _, (gad,) = week.assign("gad-7", start=-2, assigned=-3)
    week.send(gad, GAD7, week.at(-2, 11))
    _, (phq,) = week.assign("phq-9", start=-1, assigned=-3)
    week.send(phq, _phq9(2, item9=1), week.at(-1, 22, 10))


def _slipping_sleep_diary(week: _Week) -> None:
    """A sleep diary that stopped after day one; a cancelled worry time; one still ahead."""
    _, nights = week.assign(
        "sleep-diary",
        start=-5,
        assigned=-6,
        kind="daily",
        repeat_days=10,
        due_time=time(11, 0),
        plan_when="With the first coffee",
        plan_where="Phone on the bedside table",
    )
    week.send(
        nights[0],
        {
            "date": (week.today - timedelta(days=6)).isoformat(),
            "bedtime": "23:30",
            "time_to_sleep": 40,
            "awakenings": 2,
            "final_wake": "06:45",
            "rise_time": "07:10",
            "quality": 4,
            "napped": "no",
            "caffeine_drinks": 3,
            "alcohol_drinks": 0,
        },
        week.at(-5, 8, 30),
    )
    for occurrence in nights[1:4]:
        week.miss(occurrence)
    worry, (worry_day,) = week.assign(
        "worry-time", start=-4, assigned=-6, visibility=Visibility.CLIENT_ONLY
    )
    week.send(worry_day, WORRY, week.at(-4, 18, 50), shared=False)
    Assignment.objects.filter(pk=worry.pk).update(
        status=AssignmentStatus.CANCELLED,
        cancelled_at=week.at(-2, 9),
        cancel_reason="Let's focus on sleep first.",
    )
    week.event(worry, EventKind.CANCELLED, week.at(-2, 9), reason="Let's focus on sleep first.")
    week.assign(
        "behavioural-experiment",
        start=3,
        assigned=0,
        personal_message="Pick something small to test. We'll plan the next one together.",
    )


def _one_upcoming(week: _Week) -> None:
    week.assign("behavioural-experiment", start=5, assigned=0, plan_when="Saturday morning")


WEEKS = [_practising_thought_records, _activity_logs_and_a_flag, _slipping_sleep_diary]


def seed(practice, people) -> None:
    clients = [c for c in people.clients if c.status != ClientStatus.DISCHARGED]
    for index, client in enumerate(clients):
        if Assignment.objects.filter(client=client, origin="").exists():
            continue
        week = _Week(practice, client, client.primary_therapist)
        story = WEEKS[index] if index < len(WEEKS) else _one_upcoming
        if client.status == ClientStatus.PAUSED:
            story = _one_upcoming
        story(week)
