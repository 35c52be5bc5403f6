"""The calendar feed as iCalendar text (RFC 5545), written by hand: a handful of properties
does not need a library.

Every event has the same discreet title: the feed lives in calendar apps that others glance
at, sync to work accounts and show in widgets.
"""

from datetime import UTC, datetime, timedelta

EVENT_MINUTES = 30
SUMMARY = "Bridgework to-do"


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _text(value: str) -> str:
    """Escape a TEXT value (RFC 5545 §3.3.11)."""
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space (§3.1), split
    between characters, never inside one."""
    out, current = [], b""
    for char in line:
        encoded = char.encode()
        limit = 75 if not out else 74  # a continuation line starts with a space
        if len(current) + len(encoded) > limit:
            out.append(current)
            current = b""
        current += encoded
    out.append(current)
    return "\r\n ".join(part.decode() for part in out)


def render_calendar(*, occurrences, link: str, now: datetime) -> str:
    """One VEVENT per occurrence, ending at its due time."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Bridgework//Homework feed//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:Bridgework",
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
        "X-PUBLISHED-TTL:PT1H",
    ]
    description = _text(f"Something on your Bridgework to-do list is due. Open it: {link}")
    for occurrence in occurrences:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{occurrence.pk}@bridgework",
            f"DTSTAMP:{_stamp(now)}",
            f"LAST-MODIFIED:{_stamp(occurrence.updated_at)}",
            f"DTSTART:{_stamp(occurrence.due_at - timedelta(minutes=EVENT_MINUTES))}",
            f"DTEND:{_stamp(occurrence.due_at)}",
            f"SUMMARY:{SUMMARY}",
            f"DESCRIPTION:{description}",
            f"URL:{link}",
            "TRANSP:TRANSPARENT",
            "CLASS:PRIVATE",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)
