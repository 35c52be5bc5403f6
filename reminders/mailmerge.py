"""Reminder emails as a mail merge: thousands of messages of one wording, rendered once per
shape and copied per recipient (see ``render_email``)."""

from collections import OrderedDict
from email.utils import formatdate, make_msgid
from functools import lru_cache

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import DNS_NAME, RFC5322_EMAIL_LINE_LENGTH_LIMIT
from django.utils.html import escape

from core.emails import render_email as _render
from core.emails import send_rendered_email


def _marker(name: str) -> str:
    # The "&" shows, in the rendered text, whether the template escaped the value (HTML) or
    # not (plain text, subjects): an escaped marker reads "&amp;".
    return f"\x00{name}&\x00"


@lru_cache(maxsize=256)
def _rendered_shape(template: str, shape: tuple) -> tuple[str, ...]:
    return _render(template, dict(shape))


def render_email(template: str, context: dict, *, merge=()) -> tuple[str, ...]:
    """(subject, text, HTML) of ``templates/emails/<template>_subject.txt``, ``.txt``, ``.html``.

    ``merge`` names the context entries that change from one recipient to the next (a name,
    a personal link) when the rest repeats over thousands of messages (a reminder's wording):
    a mail merge. The templates are rendered once per shape of message, with a marker in place
    of each merge entry (an empty one stays empty, so ``{% if %}`` still decides), and each
    recipient's values are put where the markers are, escaped where the template escaped the
    marker. A template that transforms a merge entry (with a filter) leaves no clean marker;
    then the message is rendered in full. The other entries must be hashable (the shape is a
    cache key): strings, numbers, frozen dataclasses.
    """
    if not merge or settings.DEBUG:  # DEBUG: templates edited while the server runs
        return _render(template, context)
    shape = tuple(
        sorted(
            (name, (_marker(name) if value else "") if name in merge else value)
            for name, value in context.items()
        )
    )
    parts = []
    for part in _rendered_shape(template, shape):
        for name in merge:
            value = str(context[name] or "")
            marker = _marker(name)
            part = part.replace(escape(marker), escape(value)).replace(marker, value)
        if "\x00" in part:
            return _render(template, context)
        parts.append(part)
    return tuple(parts)


# Headers that Django does not simply copy from a message's ``headers`` (it combines them
# with the message's own fields): a merged email that sets one is built in full.
_SPECIAL_HEADERS = {"subject", "to", "cc", "reply-to"}


def _copy_part(part, values: dict[str, str] | None = None):
    """A copy of one node of a MIME tree with its own header list (the only state of a part
    that filling it in or serialising it changes), the headers named in ``values`` (lower
    case) set to theirs. The payload is set by the caller."""
    clone = part.__class__.__new__(part.__class__)
    clone.__dict__.update(part.__dict__)
    if values:
        # As ``__setitem__`` stores a header under the compat32 policy of Django's MIME
        # classes: the value as given.
        clone._headers = [(name, values.get(name.lower(), value)) for name, value in part._headers]
    else:
        clone._headers = list(part._headers)
    return clone


class MergedEmail(EmailMultiAlternatives):
    """One email of a mail merge: thousands of messages that share subject, sender, header
    names and body shape, and differ in the recipient, a few header values and the text.

    Django builds every message's MIME tree from scratch, which costs more than everything
    else about sending a reminder (the ``email`` package parses and re-serialises each part's
    headers as it builds them). This builds the tree in full (``EmailMultiAlternatives``) for
    the first message of each shape and copies it for the next, putting in each one's own
    values: the recipient, the date, the Message-ID and the ``headers`` given, and the two
    bodies. What the copy holds is what the full build holds
    (``tests/platform/test_emails.py`` compares the bytes). A message the copy could get
    wrong — a header value that is not plain ASCII on one line (Django encodes those), a body
    line too long for 8-bit transfer, copies, replies or attachments — is built in full.
    """

    _shapes: "OrderedDict[tuple, object]" = OrderedDict()
    MAX_SHAPES = 64

    def _varying_headers(self) -> list[tuple[str, str]] | None:
        """(name, value) of each header that differs from one message of a shape to the
        next, or None if a value needs Django's encoding."""
        names = {name.lower() for name in self.extra_headers}
        headers = [("To", ", ".join(str(address) for address in self.to))]
        if "date" not in names:
            headers.append(("Date", formatdate(localtime=settings.EMAIL_USE_LOCALTIME)))
        if "message-id" not in names:
            headers.append(("Message-ID", make_msgid(domain=DNS_NAME)))
        headers += [
            (name, str(value))
            for name, value in self.extra_headers.items()
            if name.lower() != "from"  # part of the shape (the key)
        ]
        for _, value in headers:
            if not value.isascii() or "\n" in value or "\r" in value:
                return None
        return headers

    def _bodies(self) -> list[str] | None:
        bodies = [self.body, *(content for content, _ in self.alternatives)]
        for body in bodies:
            if not isinstance(body, str) or not body:
                return None
            lines = body.splitlines()
            # A character is at most 4 bytes in UTF-8: most bodies need no encoding to tell.
            if max(map(len, lines)) * 4 > RFC5322_EMAIL_LINE_LENGTH_LIMIT and any(
                len(line.encode(errors="surrogateescape")) > RFC5322_EMAIL_LINE_LENGTH_LIMIT
                for line in lines
            ):
                return None  # Django switches such a part to quoted-printable
        return bodies

    def message(self):
        names = [name.lower() for name in self.extra_headers]
        simple = (
            self.to
            and self.alternatives
            and not (self.cc or self.reply_to or self.attachments)
            and str(self.encoding or settings.DEFAULT_CHARSET).lower() == "utf-8"
            and len(set(names)) == len(names)
            and not _SPECIAL_HEADERS & set(names)
        )
        headers = self._varying_headers() if simple else None
        bodies = self._bodies() if headers is not None else None
        if bodies is None:
            return super().message()
        key = (
            self.subject,
            self.extra_headers.get("From", self.from_email),
            self.content_subtype,
            tuple(mimetype for _, mimetype in self.alternatives),
            tuple(name for name, _ in headers),
            tuple(body.isascii() for body in bodies),  # 7bit or 8bit transfer encoding
        )
        shape = self._shapes.get(key)
        if shape is None:
            shape = super().message()
            self._shapes[key] = shape
            while len(self._shapes) > self.MAX_SHAPES:
                self._shapes.popitem(last=False)
        msg = _copy_part(shape, {name.lower(): value for name, value in headers})
        parts = []
        for part, body in zip(shape.get_payload(), bodies, strict=True):
            part = _copy_part(part)
            # As ``email.message.Message.set_payload`` stores a text in UTF-8, 8-bit.
            part.set_payload(body.encode("utf-8").decode("ascii", "surrogateescape"))
            parts.append(part)
        msg.set_payload(parts)
        return msg


def send_merged_email(
    *, to: str, template: str, context: dict, merge: tuple[str, ...], headers=None, connection=None
) -> None:
    """Render the template set as a mail merge (``render_email``) and send it."""
    send_rendered_email(
        to=to,
        parts=render_email(template, context, merge=merge),
        headers=headers,
        connection=connection,
        message_class=MergedEmail,
    )
