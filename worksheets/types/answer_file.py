"""``audio`` and ``photo``: the client answers with a file (a voice memo, a photo taken on
their phone).

The engine never sees the bytes. The page that takes the form stores the file (checked by its
content, privately) and hands this type a reference: ``{"media": id, "content_type", "size",
"sha256"}``. Read-only views load it from the access-checked URL; printouts and PDFs name it
only ("Photo attached — view in Bridgework"); FHIR carries an ``Attachment`` with the URL,
type, size and hash, never the data.
"""

from __future__ import annotations

import base64
import re
import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Final

from django.urls import reverse

from ..fhir.common import EXT, extension, extension_value
from ..fields import FieldDef
from .base import SKIP, FieldType, JsonSchema, Path, View

if TYPE_CHECKING:
    from ..fhir.response import ResponseReader
    from ..forms import FormData
    from ..render import ViewBuilder
    from ..response import AnswerCleaner

# The name of the URL that serves an answer file (owned by the app that stores them); a
# name, not an import: the engine imports no other app.
MEDIA_URL_NAME: Final = "assignments:answer_media"

# The types whose answer is a file the page stores before the engine parses the form.
ANSWER_FILE_TYPES: Final = ("audio", "photo")

# The MIME types an attachment item accepts (a standard core extension).
MIME_TYPE: Final = EXT + "mimeType"

_SHA256: Final = re.compile(r"^[0-9a-f]{64}$")


def media_answer_url(value: dict[str, Any]) -> str:
    return reverse(MEDIA_URL_NAME, args=[value["media"]])


class AnswerFile(FieldType):
    """What both file answers share; a subclass names the content types and the words."""

    id_stem = "answer"
    content_types: ClassVar[frozenset[str]]
    accept: ClassVar[str]
    capture: ClassVar[str]
    noun: ClassVar[str]
    required_message = "Please add a file."

    def schema(self) -> JsonSchema:
        return {"properties": {}}

    def clean(self, cleaner: AnswerCleaner, field: FieldDef, value: Any, path: str) -> Any:
        problem = self.value_problem(field, value)
        if problem:
            cleaner.add(path, problem)
        return value

    def value_problem(self, field: FieldDef, value: Any) -> str | None:
        if not isinstance(value, dict) or set(value) != {
            "media",
            "content_type",
            "size",
            "sha256",
        }:
            return f"This answer must be an uploaded {self.noun.lower()}."
        try:
            uuid.UUID(str(value["media"]))
        except ValueError:
            return f"This answer must be an uploaded {self.noun.lower()}."
        if value["content_type"] not in self.content_types:
            return f"This file is not a {self.noun.lower()}."
        if not isinstance(value["size"], int) or value["size"] <= 0:
            return "The file's size is missing."
        if not isinstance(value["sha256"], str) or not _SHA256.match(value["sha256"]):
            return "The file's fingerprint is missing."
        return None

    def parse(self, field: FieldDef, data: FormData, name: str) -> Any:
        """Only a reference the page put there after storing (or re-finding) the file."""
        value = data.get(name)
        return value if isinstance(value, dict) else None

    def view_extras(self, builder: ViewBuilder, view: View, path: Path) -> None:
        value = view["value"]
        stored = isinstance(value, dict) and self.value_problem(view["field"], value) is None
        # Only pages that can load stored files pass a media resolver; a PDF passes none and
        # gets the words ("Photo attached — view in Bridgework"), never the file.
        view["src"] = media_answer_url(value) if stored and builder.media_url else None
        view["kept"] = value["media"] if stored else ""
        view["accept"] = self.accept
        view["capture"] = self.capture
        view["noun"] = self.noun

    def value_text(self, field: FieldDef, value: Any) -> str:
        return f"{self.noun} attached — view in Bridgework"

    def to_fhir(self, field: FieldDef, item: dict[str, Any]) -> None:
        item["type"] = "attachment"
        extension(item, MIME_TYPE, "valueCode", self.accept)

    def fhir_claims(self, item: Mapping[str, Any]) -> bool:
        """An attachment item whose allowed MIME type is ours (``audio/*``, ``image/*``)."""
        allowed = extension_value(item, MIME_TYPE)
        return item.get("type") == "attachment" and str(allowed).startswith(self.accept[:6])

    def fhir_values(self, field: FieldDef, value: Any) -> list[dict[str, Any]]:
        """An Attachment pointing at the protected URL (who follows it signs in and is
        checked like anyone else), never the data. FHIR R4 defines ``hash`` as the base64 of
        a SHA-1; we keep only SHA-256, so its base64 goes there and the title names it."""
        return [
            {
                "valueAttachment": {
                    "contentType": value["content_type"],
                    "url": media_answer_url(value),
                    "size": value["size"],
                    "hash": base64.b64encode(bytes.fromhex(value["sha256"])).decode(),
                    "title": f"{self.noun} (hash: SHA-256)",
                }
            }
        ]

    def from_fhir_response(
        self, reader: ResponseReader, field: FieldDef, items: list[Mapping[str, Any]], path: str
    ) -> Any:
        """An imported attachment points at someone else's storage, not a file we hold and
        checked: the answer is left out (the rest of the entry is imported)."""
        return SKIP


class Audio(AnswerFile):
    name = "audio"
    label = "Voice memo (client records)"
    noun = "Voice memo"
    accept = "audio/*"
    capture = "user"
    content_types = frozenset(
        {"audio/mp4", "audio/aac", "audio/mpeg", "audio/ogg", "audio/webm", "audio/wav"}
    )
    new_field = {"label": "Record a short voice memo"}


class Photo(AnswerFile):
    name = "photo"
    label = "Photo (client takes or chooses)"
    noun = "Photo"
    accept = "image/*"
    capture = "environment"
    content_types = frozenset({"image/jpeg", "image/png", "image/heic", "image/webp"})
    new_field = {"label": "Take a photo"}
