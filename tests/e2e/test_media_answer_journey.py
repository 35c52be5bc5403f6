"""A client answers a worksheet on their phone with a voice memo and a photo; their therapist
hears and sees them on the assignment page. A photo in the voice memo field is refused next
to the field first."""

import io
import re
import wave

import pytest
from django_scopes import scopes_disabled
from PIL import Image
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, PHONE, portal_sign_in, screenshot, sign_in
from tests.factories import activity_version_for, library_definition

pytestmark = pytest.mark.django_db(transaction=True)


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 200), (96, 140, 120)).save(out, format="PNG")
    return out.getvalue()


def _wav() -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as sound:
        sound.setnchannels(1)
        sound.setsampwidth(2)
        sound.setframerate(8000)
        sound.writeframes(b"\x00\x00" * 8000)
    return out.getvalue()


@pytest.fixture
def noticing(world, assign, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "answers"
    version = activity_version_for(
        world.practice_a,
        "thought-record",
        title="Noticing walk",
        definition=library_definition(
            {
                "id": "memo",
                "type": "audio",
                "label": "Say what you noticed on your walk",
                "help": "Up to a minute is plenty.",
                "required": True,
            },
            {"id": "scene", "type": "photo", "label": "A photo of something you noticed"},
        ),
    )
    assignment = assign(version)
    with scopes_disabled():
        return assignment


def test_a_client_sends_a_voice_memo_and_a_photo_and_the_therapist_opens_them(
    new_page, world, noticing
):
    phone = new_page(PHONE)
    portal_sign_in(phone, world.client_a.email)
    with scopes_disabled():
        occurrence = noticing.occurrences.get()
    phone.goto(f"/portal/do/{occurrence.pk}/")
    memo = phone.get_by_label("Say what you noticed on your walk")
    expect(memo).to_have_attribute("accept", "audio/*")
    expect(phone.get_by_label("A photo of something you noticed")).to_have_attribute(
        "capture", "environment"
    )
    screenshot(phone, "media-answer-form")

    memo.set_input_files({"name": "memo.m4a", "mimeType": "audio/mp4", "buffer": _png()})
    phone.get_by_role("button", name=re.compile("Send")).first.click()
    expect(phone.locator(".field__error")).to_contain_text("M4A, AAC, MP3")
    screenshot(phone, "media-answer-refused")

    phone.get_by_label("Say what you noticed on your walk").set_input_files(
        {"name": "memo.wav", "mimeType": "audio/wav", "buffer": _wav()}
    )
    phone.get_by_label("A photo of something you noticed").set_input_files(
        {"name": "IMG_0001.png", "mimeType": "image/png", "buffer": _png()}
    )
    phone.get_by_role("button", name=re.compile("Send")).first.click()
    phone.wait_for_url(re.compile(r"/portal/entries/.+\?sent=1"))
    expect(phone.locator("audio[controls]")).to_have_count(1)
    expect(phone.locator("img.answer-photo")).to_be_visible()
    screenshot(phone, "media-answer-entry")

    desk = new_page(DESKTOP)
    sign_in(desk, world.therapist_a.email)
    desk.goto(f"/assignments/{noticing.pk}/")
    expect(desk.locator("audio[controls]")).to_have_count(1)
    photo = desk.locator("img.answer-photo")
    expect(photo).to_be_visible()
    # Visible is not loaded: wait until the browser has the file (a refused one never loads).
    desk.wait_for_function("() => document.querySelector('img.answer-photo').complete")
    assert desk.evaluate("document.querySelector('img.answer-photo').naturalWidth") == 320
    screenshot(desk, "media-answer-therapist")
