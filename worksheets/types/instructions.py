"""``instructions``: text for the client to read (Markdown), never answered."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.safestring import mark_safe

from ..fhir.common import RENDERING_MARKDOWN, extension_value, limit
from ..fields import FieldDef
from ..markdown import render_markdown
from .base import FieldType, JsonSchema, Path, View

if TYPE_CHECKING:
    from ..definition import DefinitionChecker
    from ..fhir.importer import Importer
    from ..render import ViewBuilder


class Instructions(FieldType):
    name = "instructions"
    label = "Instructions (text to read)"
    id_stem = "note"
    keys = frozenset({"body"})
    required_keys = ("body",)
    answerable = False
    new_field = {"label": "Read this first", "body": "Write what the client should read."}
    builder_fields = {
        "body": forms.CharField(
            label="Text (Markdown)",
            required=False,
            widget=forms.Textarea(attrs={"rows": 6}),
            help_text="**bold**, *italic*, lists and links. HTML is shown as text.",
        ),
    }

    def check(self, checker: DefinitionChecker, field: FieldDef, path: str) -> None:
        checker.text(field, "body", path, limit=20000)

    def schema(self) -> JsonSchema:
        return {
            "properties": {
                "body": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": 20000,
                    "description": "Markdown; sanitised when rendered, raw HTML is escaped.",
                }
            },
            "required": ["body"],
        }

    def view_extras(self, builder: ViewBuilder, view: View, path: Path) -> None:
        # render_markdown escapes raw HTML and sanitises the result with an allow-list.
        view["body_html"] = mark_safe(render_markdown(view["field"]["body"]))  # noqa: S308

    def to_fhir(self, field: FieldDef, item: dict[str, Any]) -> None:
        markdown_display(item, field["label"], field["body"])

    def fhir_claims(self, item: Mapping[str, Any]) -> bool:
        return item.get("type") == "display"

    def from_fhir(
        self, importer: Importer, item: Mapping[str, Any], field_id: str
    ) -> dict[str, Any] | None:
        """A display item's label is its ``prefix`` (or its first line); it has no help and
        is never required."""
        markdown = extension_value(item.get("_text") or {}, RENDERING_MARKDOWN)
        markdown = str(markdown if isinstance(markdown, str) else item.get("text") or "")
        if not markdown.strip():
            importer.skip(f"Display item '{item.get('linkId', '')}' skipped: it has no text.")
            return None
        label = item.get("prefix") or limit(markdown.strip().splitlines()[0], 80)
        return {
            "id": field_id,
            "type": self.name,
            "label": limit(str(label), 300),
            "body": limit(markdown, 20000),
        }


def markdown_display(item: dict[str, Any], label: str, markdown: str) -> None:
    """A display item: the label goes in ``prefix`` ("a short label for … display text"),
    the Markdown in ``text`` with the rendering-markdown extension."""
    item.update(type="display", prefix=label, text=markdown)
    item["_text"] = {"extension": [{"url": RENDERING_MARKDOWN, "valueMarkdown": markdown}]}
