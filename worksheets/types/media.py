"""``media``: audio, video or an image uploaded to Bridgework; never answered.

Only files stored in Bridgework (the practice's or the global library's uploads, ``"upload":
id``) are shown: a worksheet on the client portal must not load anything from elsewhere (a
tracking pixel, a changed file). ``url`` is still a known key so that a definition carrying
one (written before, or imported) gets a clear error at its path; one already stored is not
loaded when rendered (the caption and transcript are shown, with a note).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

from django import forms

from ..fields import FieldDef
from ..issues import key_path
from .base import FieldType, JsonSchema, Path, View
from .instructions import markdown_display

if TYPE_CHECKING:
    from ..definition import DefinitionChecker
    from ..render import ViewBuilder

KINDS: Final = ("audio", "video", "image")

EXTERNAL_REFUSED: Final = (
    "Upload the file instead: worksheets show only files stored in Bridgework."
)


class Media(FieldType):
    name = "media"
    label = "Audio, video or image"
    keys = frozenset({"kind", "url", "upload", "caption", "transcript"})
    required_keys = ("kind",)
    answerable = False
    new_field = {
        "label": "Listen",
        "kind": "audio",
    }
    builder_fields = {
        "media_kind": forms.ChoiceField(
            label="Media",
            choices=[("audio", "Audio"), ("video", "Video"), ("image", "Image")],
            required=False,
        ),
        # The builder adds the formats its storage accepts to the help text.
        "media_file": forms.FileField(
            label="Upload a file",
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
        if "url" in field:
            checker.add(key_path(path, "url"), EXTERNAL_REFUSED)
        checker.text(field, "upload", path, limit=100)
        checker.text(field, "caption", path, limit=300)
        checker.text(field, "transcript", path, limit=20000)

    def schema(self) -> JsonSchema:
        return {
            "properties": {
                "kind": {"enum": list(KINDS)},
                "url": False,  # see EXTERNAL_REFUSED
                "upload": {"type": "string", "minLength": 1, "maxLength": 100},
                "caption": {"type": "string", "minLength": 1, "maxLength": 300},
                "transcript": {"type": "string", "minLength": 1, "maxLength": 20000},
            },
            "required": ["kind"],
        }

    def view_extras(self, builder: ViewBuilder, view: View, path: Path) -> None:
        field = view["field"]
        upload = field.get("upload")
        resolved = builder.media_url(upload) if upload and builder.media_url else None
        view["src"] = resolved
        # Stored before external links were refused: never loaded, only named.
        view["external"] = bool(field.get("url")) and not resolved
        view["kind"] = field["kind"]
        view["caption"] = field.get("caption", "")
        view["transcript"] = field.get("transcript", "")

    def to_fhir(self, field: FieldDef, item: dict[str, Any]) -> None:
        """R4 has no media item; a display item with the caption and the transcript keeps the
        content usable. Uploaded media live in our storage and cannot be linked from
        outside."""
        parts = [field.get("caption") or field["label"]]
        if field.get("transcript"):
            parts.append(field["transcript"])
        markdown_display(item, field["label"], "\n\n".join(parts))

    def builder_settings(
        self, data: Mapping[str, Any], *, field: FieldDef, upload: str | None
    ) -> dict[str, Any]:
        """A file just uploaded replaces the earlier one, which stays otherwise. A link left
        from before is dropped: saving the field from the builder removes it."""
        settings = super().builder_settings(
            {**data, "media_file": None}, field=field, upload=upload
        )
        settings.pop("url", None)
        if upload or field.get("upload"):
            settings["upload"] = upload or field["upload"]
        return settings
