"""Demo homework for `manage.py seed_demo`: every state an assignment can be in, with a past.

Everything is written by the same services the product uses (assign, open, autosave, send,
check in, review, cancel, the missed sweeper), so the demo holds nothing the product could not
have produced. The history (entries sent last week, reviews, missed days) needs a past: the
sweeper takes its time as ``now=``; the other services read the clock, so they run under
``time_machine`` set to the moment the story says.
Idempotent: a client who already has homework assigned by hand is left alone.
"""

import uuid
from datetime import datetime, time, timedelta

import time_machine
from django.utils import timezone

from accounts.models import Membership
from assignments.models import MISSED_AFTER, Assignment, Visibility
from assignments.services.assigning import assignment_cancel, assignments_create
from assignments.services.completing import (
    checkin_record,
    draft_save,
    occurrence_open,
    response_submit,
)
from assignments.services.missed import occurrences_mark_missed
from assignments.services.reviewing import message_post, occurrence_review
from assignments.services.sessions import session_record
from clients.models import ClientStatus
from library.models import CuratedActivity

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

    def then(self, moment: datetime):
        """The clock the services read, set to ``moment``; a moment later today than now is
        now, since nothing may be written in the future."""
        return time_machine.travel(min(moment, self.now), tick=False)

    def assign(self, slug, *, start: int, kind="once", assigned: int | None = None, **plan):
        item = {
            "curated_activity": CuratedActivity.objects.get(slug=slug),
            "schedule_kind": kind,
            "starts_on": self.today + timedelta(days=start),
            **plan,
        }
        with self.then(self.at(min(start, 0) if assigned is None else assigned, 10)):
            (assignment,) = assignments_create(client=self.client, actor=self.actor, items=[item])
        return assignment, list(assignment.occurrences.order_by("sequence"))

    def send(self, occurrence, answers, sent_at, *, checkin=None):
        """Opened twenty minutes before sending, typed (and autosaved) from two minutes later."""
        self.open(occurrence, sent_at - timedelta(minutes=20))
        with self.then(sent_at - timedelta(minutes=18)):
            draft_save(occurrence=occurrence, client=self.client, answers=answers)
        with self.then(sent_at):
            response = response_submit(
                occurrence=occurrence,
                client=self.client,
                answers=answers,
                submission_key=uuid.uuid4(),
            )
        if checkin:
            with self.then(sent_at + timedelta(minutes=1)):
                checkin_record(response=response, client=self.client, **checkin)
        return response

    def review(self, occurrence, at, comment="", rating=None):
        with self.then(at):
            occurrence_review(
                occurrence=occurrence, actor=self.actor, comment=comment, rating=rating
            )

    def miss(self, occurrence):
        """The sweeper's run twelve hours after the due time (it sweeps every practice, as the
        scheduled one does: anything else overdue by then is recorded as missed too)."""
        occurrences_mark_missed(now=occurrence.due_at + MISSED_AFTER)

    def open(self, occurrence, at, draft=None):
        with self.then(at):
            occurrence_open(occurrence=occurrence, client=self.client)
            if draft:
                draft_save(occurrence=occurrence, client=self.client, answers=draft)

    def ask(self, assignment, body, at):
        with self.then(at):
            message_post(assignment=assignment, body=body, client=self.client)

    def cancel(self, assignment, at, reason):
        with self.then(at):
            assignment_cancel(assignment=assignment, actor=self.actor, reason=reason)

    def session(self, days: int):
        with self.then(self.at(days, 17)):
            session_record(
                client=self.client, actor=self.actor, held_on=self.today + timedelta(days=days)
            )


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
    week.send(worry_day, WORRY, week.at(-4, 18, 50))
    week.cancel(worry, week.at(-2, 9), "Let's focus on sleep first.")
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
