"""The mail merge behind high-volume emails: rendering a message once per shape and filling
in each recipient's values must give exactly what rendering it in full gives."""

import pytest
from django.test import override_settings
from django.utils.html import escape

from homework_platform.emails import _render, render_email
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
