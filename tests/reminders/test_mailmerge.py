"""The mail merge behind high-volume emails: rendering a message once per shape and filling
in each recipient's values must give exactly what rendering it in full gives."""

from collections import OrderedDict

import pytest
from django.core.mail import BadHeaderError, EmailMultiAlternatives
from django.test import override_settings
from django.utils.html import escape

from reminders.mailmerge import MergedEmail, _render, render_email, send_merged_email
from reminders.messages import PREHEADER, Message

MESSAGE = Message(
    subject="You have something new in Bridgework",
    title="New homework is ready",
    body="Your therapist shared something new with you.",
    link="/portal/",
)


def reminder_context(name: str, url: str = "https://bridgework.test/r/abc:def/") -> dict:
    return {
        "message": MESSAGE,
        "greeting_name": name,
        "preheader": PREHEADER,
        "preferences_url": url,
    }


@pytest.mark.parametrize(
    "name",
    ["Sam", 'Zoë <O\'Brien> & "co"', "", "日本語の名前", "{{ not a tag }}", "100%s"],
)
def test_a_merged_reminder_is_exactly_the_full_render(name):
    context = reminder_context(name, url=f"https://bridgework.test/r/{len(name)}&x=1/")
    merged = render_email("reminder_message", context, merge=("greeting_name", "preferences_url"))
    assert merged == _render("reminder_message", context)
    _, text, html = merged
    if name:
        assert f"Hi {name}," in text  # plain text: as typed
        assert f"Hi {escape(name)}," in html  # HTML: escaped
    else:
        assert "Hi " not in text and "Hi " not in html  # no name: no greeting line


def test_special_characters_are_escaped_in_html_only():
    context = reminder_context("A&B <i>")
    _, text, html = render_email(
        "reminder_message", context, merge=("greeting_name", "preferences_url")
    )
    assert "Hi A&B <i>," in text
    assert "Hi A&amp;B &lt;i&gt;," in html and "<i>" not in html


EMAIL_TEMPLATES = {
    "emails/filtered_subject.txt": "Hello {{ name|upper }}",
    "emails/filtered.txt": "{{ name }} {{ site_url }}",
    "emails/filtered.html": "<p>{{ name }}</p>",
}


@override_settings(
    TEMPLATES=[
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "OPTIONS": {"loaders": [("django.template.loaders.locmem.Loader", EMAIL_TEMPLATES)]},
        }
    ]
)
def test_a_template_that_filters_a_merge_field_is_rendered_in_full():
    merged = render_email("filtered", {"name": "sam"}, merge=("name",))
    assert merged[0] == "Hello SAM"
    assert merged == _render("filtered", {"name": "sam"})


# --- The MIME tree of a merged email ---------------------------------------------------------

REMINDER_HEADERS = ("Message-ID", "X-Bridgework-Delivery", "List-Unsubscribe")


def merged_email(name: str, *, key: str = "abc", url: str = "https://bridgework.test/p/abc/"):
    """A reminder email as ``reminders.channels.email.EmailSender`` builds it."""
    subject, text, html = render_email(
        "reminder_message", reminder_context(name, url), merge=("greeting_name", "preferences_url")
    )
    message = MergedEmail(
        subject=" ".join(subject.split()),
        body=text,
        to=[f"{key}@example.com"],
        headers={
            "Message-ID": f"<{key}.email@bridgework.test>",
            "X-Bridgework-Delivery": f"{key}.email",
            "List-Unsubscribe": f"<{url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def as_sent(mime) -> bytes:
    """The bytes a mail server gets, with the two things that differ between two builds of
    one message made the same: the date (to the second) and the multipart boundary (random)."""
    mime.replace_header("Date", "Fri, 04 Dec 2026 19:00:00 -0000")
    mime.set_boundary("=====boundary=====")
    return mime.as_bytes(linesep="\r\n")


@pytest.fixture
def full_builds(monkeypatch):
    """Counts the messages built in full by Django (the rest were copied)."""
    calls = []
    build = EmailMultiAlternatives.message

    def counted(message):
        calls.append(message)
        return build(message)

    monkeypatch.setattr(EmailMultiAlternatives, "message", counted)
    monkeypatch.setattr(MergedEmail, "_shapes", OrderedDict())
    return calls


@pytest.mark.parametrize(
    "name",
    ["Sam", "Zoë", "日本語の名前", 'A&B <i> "q"', "x" * 1200, ""],
    ids=["ascii", "accented", "cjk", "markup", "long-line", "no-name"],
)
def test_a_copied_message_is_byte_for_byte_the_one_django_builds(name, full_builds):
    merged_email("Alex", key="first").message()  # the shape, built in full
    message = merged_email(name, key="second", url="https://bridgework.test/p/second/")
    copied = message.message()
    built = EmailMultiAlternatives.message(message)
    assert as_sent(copied) == as_sent(built)
    assert b"second@example.com" in as_sent(copied)


def test_each_shape_is_built_in_full_once(full_builds):
    first = merged_email("Sam", key="one").message()
    for key in ("two", "three"):
        merged_email("Sam", key=key).message()
    merged_email("Zoë", key="four").message()  # an 8-bit body: a shape of its own
    assert len(full_builds) == 2
    assert first["To"] == "one@example.com"  # the copies did not write into the first


def test_later_copies_do_not_change_an_earlier_message(full_builds):
    first = merged_email("Sam", key="one").message()
    before = as_sent(first)
    second = merged_email("Robin", key="two", url="https://bridgework.test/p/two/").message()
    second.replace_header("X-Bridgework-Delivery", "changed")
    assert as_sent(first) == before
    assert b"Hi Sam," in before and b"Robin" not in before


@pytest.mark.parametrize(
    "header, value",
    [("List-Unsubscribe", "<https://bridgework.test/p/ü/>"), ("X-Bridgework-Delivery", "a\r\nb")],
    ids=["not-ascii", "two-lines"],
)
def test_a_header_django_would_encode_or_refuse_is_left_to_django(header, value, full_builds):
    merged_email("Sam", key="one").message()
    message = merged_email("Sam", key="two")
    message.extra_headers[header] = value
    try:
        built = EmailMultiAlternatives.message(message)
    except BadHeaderError:
        with pytest.raises(BadHeaderError):
            message.message()
    else:
        assert as_sent(message.message()) == as_sent(built)
    assert len(full_builds) == 3  # the shape, this one, and this one's comparison


def test_the_reminder_email_goes_out_as_a_merged_email(mailoutbox):
    send_merged_email(
        to="sam@example.com",
        template="reminder_message",
        context=reminder_context("Sam"),
        merge=("greeting_name", "preferences_url"),
    )
    (sent,) = mailoutbox
    assert isinstance(sent, MergedEmail)
    assert sent.message()["To"] == "sam@example.com"
