"""The calendar feed's text: RFC 5545 line endings, folding and escaping."""

from datetime import UTC, datetime
from types import SimpleNamespace

from reminders.ical import _fold, _text, render_calendar


def test_long_lines_fold_at_75_octets_without_splitting_a_character():
    line = "DESCRIPTION:" + "é" * 80
    folded = _fold(line)
    parts = folded.split("\r\n ")
    assert all(len(part.encode()) <= 75 for part in parts)
    assert "".join(parts) == line


def test_text_values_are_escaped():
    assert _text("a;b,c\\d\ne") == "a\\;b\\,c\\\\d\\ne"


def test_one_discreet_event_per_occurrence_ending_at_the_due_time():
    due = datetime(2025, 3, 9, 1, 0, tzinfo=UTC)
    occurrence = SimpleNamespace(pk="abc", due_at=due, updated_at=due)
    text = render_calendar(occurrences=[occurrence], link="https://example.org/portal/", now=due)
    lines = text.split("\r\n")
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR" and lines[-1] == ""
    assert "DTSTART:20250309T003000Z" in lines and "DTEND:20250309T010000Z" in lines
    assert "UID:abc@bridgework" in lines and "SUMMARY:Bridgework to-do" in lines
    assert all(len(line.encode()) <= 75 for line in lines)
