"""When a pathway step arrives: its release rule, one module per rule in this package.

A rule says what a step counts from (the enrolment, or the previous required step being
done), whether it takes a number of days, and how therapists read it. The timeline preview
and the release planner (``pathways.schedule``) both ask the step's rule, through
``release_at``, so the two cannot disagree; the builder's choices, the API's and the model
field's come from ``choices()``.

Adding a rule: a module here defining a ``ReleaseRule`` subclass with a new ``value``
(registered as it is defined), and its tests. The step models take their choices from
``choices`` (a callable), so no migration is needed.
"""

from __future__ import annotations

import importlib
import pkgutil
from datetime import datetime, time, tzinfo
from functools import cache

from pathways.clock import release_moment

_REGISTRY: dict[str, type[ReleaseRule]] = {}


class ReleaseRule:
    """One way a step can be released. Subclasses set the class attributes; the methods
    have the behaviour most rules share."""

    value: str  # stored in the step's ``delivery``
    label: str  # the choice as the builder offers it
    order: int  # its place among the choices
    # Counted from the previous required step being done (else from the enrolment).
    counts_from_previous: bool = False
    # Takes a number of days (``delay_days``); for the others it is always 0.
    has_days: bool = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.value in _REGISTRY:
            raise ValueError(f"Two release rules are called {cls.value!r}.")
        _REGISTRY[cls.value] = cls

    def anchor(self, *, enrolment_start: datetime, previous, finished_at) -> datetime | None:
        """The moment this rule counts from: the enrolment, or when ``previous`` (the nearest
        earlier required step, None when there is none) was done, as ``finished_at(previous)``
        says (None: not known yet, so neither is this step's time)."""
        if self.counts_from_previous and previous is not None:
            return finished_at(previous)
        return enrolment_start

    def moment(self, *, anchor: datetime, step, tz: tzinfo) -> datetime:
        return release_moment(
            anchor=anchor, delay_days=step.delay_days, time_of_day=step.time_of_day, tz=tz
        )

    def describe(self, *, delay_days: int, time_of_day: time | None) -> str:
        """The rule as therapists read it: "2 days after the previous step is done, at 18:00"."""
        raise NotImplementedError


def days(count: int) -> str:
    return "1 day" if count == 1 else f"{count} days"


def at_text(time_of_day: time | None, default: str = "") -> str:
    """ ", at 18:00" for a time of day; ``default`` without one."""
    return f", at {time_of_day:%H:%M}" if time_of_day else default


@cache
def _rules() -> dict[str, ReleaseRule]:
    """Every rule module of this package, imported once, in the order of the choices."""
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
    ordered = sorted(_REGISTRY.values(), key=lambda rule: rule.order)
    return {rule.value: rule() for rule in ordered}


def all_rules() -> list[ReleaseRule]:
    return list(_rules().values())


def rule_for(value: str) -> ReleaseRule | None:
    """The rule stored as ``value``, or None for a value no rule has."""
    return _rules().get(value)


def choices() -> list[tuple[str, str]]:
    return [(rule.value, rule.label) for rule in all_rules()]
