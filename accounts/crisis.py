"""Crisis lines by country: what "Need help now?" and a flagged answer show a client.

Only free, national, widely published services that answer at any hour, written as each
service publishes its number. A practice picks its country in practice settings and
may add its own lines under these; a practice that picks none, and anyone signed out, gets
the general advice, which names no country's line.
"""

import re
from dataclasses import dataclass, field

from django.utils.html import format_html, format_html_join, urlize
from django.utils.safestring import SafeString, mark_safe

from accounts.models import CrisisCountry

# A phone number as people type it in a practice's own lines: an optional +, then digits with
# spaces, dashes, dots or brackets; at least six digits, so dates and times are left alone.
_PHONE = re.compile(r"(?<![\w+])\+?\d[\d ().-]{4,}\d(?!\w)")


def tel_href(number: str) -> str:
    """``tel:`` with only the digits (and a leading +): what every phone dials. In an
    international number the trunk "(0)" is not dialled."""
    number = number.strip()
    if number.startswith("+"):
        return "tel:+" + re.sub(r"\D", "", number.replace("(0)", ""))
    return "tel:" + re.sub(r"\D", "", number)


def _urlized(text: str) -> SafeString:
    # urlize escapes everything it does not turn into a link (autoescape=True), as the
    # template filter does, but returns a plain str.
    return mark_safe(urlize(text, autoescape=True))  # noqa: S308


def linked_line(line: str) -> SafeString:
    """A practice's own line with each phone number a tap-to-call link and web addresses
    links; everything else escaped."""
    parts, last = [], 0
    for match in _PHONE.finditer(line):
        if sum(ch.isdigit() for ch in match.group()) < 6:
            continue
        parts.append(_urlized(line[last : match.start()]))
        number = match.group().strip()
        parts.append(format_html('<a class="tel-link" href="{}">{}</a>', tel_href(number), number))
        last = match.end()
    parts.append(_urlized(line[last:]))
    return format_html_join("", "{}", ((part,) for part in parts))  # each part is safe


@dataclass(frozen=True)
class CrisisLine:
    """One service. ``call`` and ``text`` are numbers as the service writes them; the
    ``*_href`` properties make them one tap on a phone."""

    name: str
    detail: str
    call: str = ""
    text: str = ""
    web: str = ""

    @property
    def call_href(self) -> str:
        return tel_href(self.call) if self.call else ""

    @property
    def text_href(self) -> str:
        return "sms:" + re.sub(r"\D", "", self.text) if self.text else ""


@dataclass(frozen=True)
class CrisisResources:
    country: str
    emergency: tuple[str, ...]
    lines: tuple[CrisisLine, ...]
    practice_lines: tuple[str, ...] = field(default=())
    practice_name: str = ""

    @property
    def emergency_links(self) -> tuple[tuple[str, str], ...]:
        return tuple((number, tel_href(number)) for number in self.emergency)

    @property
    def practice_lines_linked(self) -> tuple[SafeString, ...]:
        return tuple(linked_line(line) for line in self.practice_lines)

    @property
    def emergency_text(self) -> str:
        return " or ".join(self.emergency) if self.emergency else "your local emergency number"

    def as_text(self) -> str:
        """The same lines as the help page, as plain text (the portal API's answer)."""
        lines = [
            f"If you are in danger now, call {self.emergency_text} or go to the nearest "
            "emergency department."
        ]
        for line in self.lines:
            ways = [
                f"call {line.call}" if line.call else "",
                f"text {line.text}" if line.text else "",
            ]
            how = " or ".join(way for way in ways if way) or line.web
            lines.append(f"{line.name}: {how}. {line.detail}".strip())
        lines.extend(self.practice_lines)
        return "\n".join(lines)


_BY_COUNTRY: dict[str, tuple[tuple[str, ...], tuple[CrisisLine, ...]]] = {
    CrisisCountry.UNITED_KINGDOM: (
        ("999",),
        (
            CrisisLine(
                "Samaritans",
                "Talk to someone, free, any time of day or night.",
                call="116 123",
            ),
            CrisisLine(
                "Shout",
                "Text SHOUT to 85258 to talk by text, free, at any hour.",
                text="85258",
            ),
            CrisisLine(
                "NHS 111",
                "Urgent help that is not an emergency, including for your mental health.",
                call="111",
            ),
        ),
    ),
    CrisisCountry.IRELAND: (
        ("112", "999"),
        (
            CrisisLine(
                "Samaritans",
                "Talk to someone, free, any time of day or night.",
                call="116 123",
            ),
            CrisisLine(
                "50808",
                "Text HELLO to 50808 to talk by text, free, at any hour.",
                text="50808",
            ),
        ),
    ),
    CrisisCountry.UNITED_STATES: (
        ("911",),
        (
            CrisisLine(
                "988 Suicide & Crisis Lifeline",
                "Call or text 988, free, any time of day or night.",
                call="988",
                text="988",
            ),
        ),
    ),
    CrisisCountry.CANADA: (
        ("911",),
        (
            CrisisLine(
                "9-8-8 Suicide Crisis Helpline",
                "Call or text 9-8-8, free, any time of day or night.",
                call="9-8-8",
                text="9-8-8",
            ),
        ),
    ),
    CrisisCountry.AUSTRALIA: (
        ("000",),
        (
            CrisisLine(
                "Lifeline",
                "Call 13 11 14, or text 0477 13 11 14, any time of day or night.",
                call="13 11 14",
                text="0477 13 11 14",
            ),
        ),
    ),
    CrisisCountry.NEW_ZEALAND: (
        ("111",),
        (
            CrisisLine(
                "Need to talk? 1737",
                "Call or text 1737, free, any time, to talk with a trained counsellor.",
                call="1737",
                text="1737",
            ),
        ),
    ),
}

GENERAL = (
    (),
    (
        CrisisLine(
            "Find a helpline",
            "Free, confidential crisis lines in your country, by phone, text or chat.",
            web="https://findahelpline.com",
        ),
    ),
)


def crisis_resources(country: str = "", practice_lines: str = "", practice_name: str = ""):
    """The crisis lines for ``country`` (a ``CrisisCountry`` value; anything else gets the
    general advice), followed by the practice's own lines."""
    emergency, lines = _BY_COUNTRY.get(country, GENERAL)
    return CrisisResources(
        country=country if country in _BY_COUNTRY else "",
        emergency=emergency,
        lines=lines,
        practice_lines=tuple(line.strip() for line in practice_lines.splitlines() if line.strip()),
        practice_name=practice_name,
    )


def crisis_resources_for(practice=None) -> CrisisResources:
    """The practice's crisis lines and its own extra lines; without a practice (signed out),
    the general advice."""
    if practice is None:
        return crisis_resources()
    return crisis_resources(
        practice.crisis_country, practice.crisis_resources, practice_name=practice.name
    )
