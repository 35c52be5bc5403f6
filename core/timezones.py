"""IANA time zones: every client has one, and "every day at 19:00" is computed in it."""

import zoneinfo
from functools import lru_cache

from django.core.exceptions import ValidationError


@lru_cache(maxsize=1)
def known_timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def validate_timezone(value: str) -> None:
    if value not in known_timezones():
        raise ValidationError(
            "“%(value)s” is not a time zone we know. Pick one from the list, "
            "e.g. Europe/London or America/New_York.",
            params={"value": value},
            code="invalid_timezone",
        )
