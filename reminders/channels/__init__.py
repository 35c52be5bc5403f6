"""The ways a reminder reaches someone: one module per channel in this package, each a
``ReminderChannel`` subclass (registered as it is defined). The engine
(``reminders.services.engine``) asks the registry, never a channel by name.

Two kinds of channel:

- *external* ones (email, text message) hand the message to a provider outside the database.
  The engine journals each send in a ``Delivery`` row before it; ``send`` raises on failure
  and is handed the same ``idempotency_key`` again if a send is retried after its outcome was
  lost: providers that deduplicate on it (and mail clients that drop a repeated Message-ID)
  then show the message once;
- the *fallback* (in the app) writes its rows in the transaction that records the reminder
  as sent, so it is exactly once; it also carries what an external channel was not allowed
  to send (snoozed, daily cap, bouncing address) and every reminder that failed.

Adding a channel: a module here and its tests. ``Delivery.channel`` takes its choices from
``choices`` (a callable), so no migration is needed; a channel the client or the practice
turns on and off also needs its preference field.
"""

from __future__ import annotations

import importlib
import pkgutil
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from functools import cache

_REGISTRY: dict[str, type[ReminderChannel]] = {}


class ReminderChannel:
    """One way to reach a recipient. Subclasses set the class attributes and override what
    applies to them."""

    name: str  # stored in ``Delivery.channel`` (at most 10 characters)
    label: str  # as owners read it on Delivery problems
    order: int  # its place among the choices
    # Sent to a provider outside the database (journalled, at least once) rather than
    # written with the reminder's status (exactly once): see the module note.
    external: bool = True
    # Interrupts the person: counts against a client's daily cap and the gap between messages.
    interrupts: bool = True
    # Where what may not go out, and every failed reminder, is shown instead (exactly one).
    fallback: bool = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.name in _REGISTRY:
            raise ValueError(f"Two reminder channels are called {cls.name!r}.")
        _REGISTRY[cls.name] = cls

    def client_address(self, *, client, policy, preference) -> str | None:
        """Where this channel reaches ``client`` under the practice's ``policy`` and their
        ``preference`` (None when they have none): an address ("" for a channel that needs
        none), or None when it does not reach them."""
        return None

    def staff_address(self, *, user, preference, urgent: bool = False) -> str | None:
        """The same for a therapist, with their ``StaffPreference``. ``urgent`` (an alert
        about a flag): every channel that can reach them does, whatever they chose."""
        return None

    def held_addresses(self, reminders) -> dict[str, str]:
        """Addresses of these reminders' recipients (in lower case) this channel must not use
        now, with the reason, read once for a worker's batch."""
        return {}

    @contextmanager
    def session(self):
        """What sends one worker task's messages (``send``), open for the whole task."""
        yield self

    def send(self, *, message, address: str, idempotency_key: str, preferences_url: str) -> None:
        """Send one message (external channels); raise on failure."""
        raise NotImplementedError

    def record(self, plans) -> None:
        """Write this channel's rows for the engine's plans (the fallback), in the transaction
        that records the reminders' status."""
        raise NotImplementedError


@dataclass(frozen=True)
class _Registry:
    by_name: dict[str, ReminderChannel]  # in the order of the choices
    external: tuple[ReminderChannel, ...]
    fallback: ReminderChannel
    interrupting: tuple[str, ...]


@cache
def _registry() -> _Registry:
    """Every channel module of this package, imported once; what the engine asks for on
    every reminder worked out here, once."""
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
    ordered = [channel() for channel in sorted(_REGISTRY.values(), key=lambda c: c.order)]
    (fallback_channel,) = (channel for channel in ordered if channel.fallback)
    return _Registry(
        by_name={channel.name: channel for channel in ordered},
        external=tuple(channel for channel in ordered if channel.external),
        fallback=fallback_channel,
        interrupting=tuple(channel.name for channel in ordered if channel.interrupts),
    )


def get(name: str) -> ReminderChannel:
    return _registry().by_name[name]


def external() -> tuple[ReminderChannel, ...]:
    return _registry().external


def interrupting_names() -> tuple[str, ...]:
    """The channels a client's daily cap and the gap between messages count."""
    return _registry().interrupting


def fallback() -> ReminderChannel:
    return _registry().fallback


def choices() -> list[tuple[str, str]]:
    """``Delivery.channel``'s choices (a callable: a new channel needs no migration)."""
    return [(channel.name, channel.label) for channel in _registry().by_name.values()]


@contextmanager
def sessions():
    """The external channels' senders for a run of sends (one worker task), by name, each
    closed at the end."""
    with ExitStack() as stack:
        yield {channel.name: stack.enter_context(channel.session()) for channel in external()}
