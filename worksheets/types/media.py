"""``media``: audio, video or an image, linked over https or uploaded; never answered."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import urlsplit

from django import forms

from ..fields import FieldDef
from ..issues import key_path, quote
from .base import FieldType, JsonSchema, Path, View
from .instructions import markdown_display

if TYPE_CHECKING:
    from ..definition import DefinitionChecker
    from ..render import ViewBuilder

KINDS: Final = ("audio", "video", "image")


class Media(FieldType):
    name = "media"
    label = "Audio, video or image"
    keys = frozenset({"kind", "url", "upload", "caption", "transcript"})
    required_keys = ("kind",)
    answerable = False
    new_field = {
        "label": "Listen",
        "kind": "audio",
        "url": "https://example.org/replace-with-your-link.mp3",
    }
    builder_fields = {
        "media_kind": forms.ChoiceField(
            label="Media",
            choices=[("audio", "Audio"), ("video", "Video"), ("image", "Image")],
            required=False,
        ),
        "url": forms.CharField(label="Link (https)", required=False, max_length=500),
        # The builder adds the formats its storage accepts to the help text.
        "media_file": forms.FileField(
            label="Or upload a file",
            required=False,
            help_text="Audio, video or image, up to 20 MB",
        ),
        "caption": forms.CharField(label="Caption", required=False, max_length=300),
        "transcript": forms.CharField(
            label="Transcript", required=False, widget=forms.Textarea(attrs={"rows": 3})
        ),
    }
    builder_keys = {"media_kind": "kind", "media_file": "upload"}

    def check(self, checker: DefinitionChecker, field: FieldDef, path: str) -> None:
        if "kind" in field and field["kind"] not in KINDS:
            checker.add(key_path(path, "kind"), "'kind' must be 'audio', 'video' or 'image'.")
        if ("url" in field) == ("upload" in field):
            checker.add(path, "A media field needs exactly one of 'url' or 'upload'.")
        url = checker.text(field, "url", path, limit=2000)
        if url is not None and not _is_https_url(url):
            checker.add(
                key_path(path, "url"), f"Media must be linked over https; {quote(url)} is not."
            )
        checker.text(field, "upload", path, limit=100)
        checker.text(field, "caption", path, limit=300)
        checker.text(field, "transcript", path, limit=20000)

    def schema(self) -> JsonSchema:
        return {
            "properties": {
                "kind": {"enum": list(KINDS)},
                "url": {"type": "string", "maxLength": 2000, "pattern": "^https://"},
                "upload": {"type": "string", "minLength": 1, "maxLength": 100},
                "caption": {"type": "string", "minLength": 1, "maxLength": 300},
                "transcript": {"type": "string", "minLength": 1, "maxLength": 20000},
            },
            "required": ["kind"],
            "oneOf": [{"required": ["url"]}, {"required": ["upload"]}],
        }

    def view_extras(self, builder: ViewBuilder, view: View, path: Path) -> None:
        field = view["field"]
        upload = field.get("upload")
        resolved = builder.media_url(upload) if upload and builder.media_url else None
        view["src"] = field.get("url") or resolved
        view["kind"] = field["kind"]
        view["caption"] = field.get("caption", "")
        view["transcript"] = field.get("transcript", "")

    def to_fhir(self, field: FieldDef, item: dict[str, Any]) -> None:
        """R4 has no media item; a display item with a link (and the transcript) keeps the
        content usable. Uploaded media live in our storage and cannot be linked from
        outside."""
        caption = field.get("caption") or field["label"]
        parts = [f"[{caption}]({field['url']})" if field.get("url") else caption]
        if field.get("transcript"):
            parts.append(field["transcript"])
        markdown_display(item, field["label"], "\n\n".join(parts))

    def builder_settings(
        self, data: Mapping[str, Any], *, field: FieldDef, upload: str | None
    ) -> dict[str, Any]:
        """A file just uploaded replaces the link; an earlier upload stays unless a link was
        given instead."""
        settings = super().builder_settings(
            {**data, "media_file": None}, field=field, upload=upload
        )
        earlier = field.get("upload", "")
        if upload or ("url" not in settings and earlier):
            settings.pop("url", None)
            settings["upload"] = upload or earlier
        return settings


def _is_https_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme == "https" and bool(parts.hostname) and not any(c.isspace() for c in url)
