"""``commitment``: a statement the client agrees to by typing their name and the date."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

from django import forms

from ..fhir.common import child, child_link_ids, limit
from ..fields import FieldDef, is_blank, parse_date
from ..issues import key_path
from .base import SKIP, FieldType, FormData, JsonSchema, Path, View, stripped, text_problem
from .date import readable_date

if TYPE_CHECKING:
    from ..definition import DefinitionChecker
    from ..fhir.importer import Importer
    from ..fhir.response import ResponseReader
    from ..render import ViewBuilder
    from ..response import AnswerCleaner

SIGNATURE_MAX_LENGTH: Final = 200
_PARTS: Final = ("signature", "date")


class Commitment(FieldType):
    name = "commitment"
    label = "Commitment with signature"
    keys = frozenset({"statement"})
    required_keys = ("statement",)
    required_message = "Sign and date this commitment."
    grouped = True
    new_field = {"label": "My commitment", "statement": "I will …"}
    builder_fields = {
        "statement": forms.CharField(
            label="What the client agrees to",
            required=False,
            widget=forms.Textarea(attrs={"rows": 2}),
        ),
    }

    def check(self, checker: DefinitionChecker, field: FieldDef, path: str) -> None:
        checker.text(field, "statement", path, limit=2000)

    def schema(self) -> JsonSchema:
        return {
            "properties": {"statement": {"type": "string", "minLength": 1, "maxLength": 2000}},
            "required": ["statement"],
        }

    def clean(self, cleaner: AnswerCleaner, field: FieldDef, value: Any, path: str) -> Any:
        if not isinstance(value, Mapping):
            cleaner.add(path, "Send the commitment as an object with 'signature' and 'date'.")
            return SKIP
        cleaner.unknown_keys(value, path, frozenset(_PARTS))
        cleaned: dict[str, Any] = {}
        signature, day = value.get("signature"), value.get("date")
        if not is_blank(signature):
            if problem := text_problem(signature, SIGNATURE_MAX_LENGTH):
                cleaner.add(key_path(path, "signature"), problem)
            cleaned["signature"] = signature
        elif not cleaner.draft:
            cleaner.add(key_path(path, "signature"), "Type your name to sign.")
        if not is_blank(day):
            if parse_date(day) is None:
                cleaner.add(key_path(path, "date"), "Enter a date as YYYY-MM-DD.")
            cleaned["date"] = day
        elif not cleaner.draft:
            cleaner.add(key_path(path, "date"), "Enter the date.")
        return cleaned

    def parse(self, field: FieldDef, data: FormData, name: str) -> dict[str, Any] | None:
        parts = {part: stripped(data, f"{name}.{part}") for part in _PARTS}
        return {part: value for part, value in parts.items() if value is not None} or None

    def condition_ops(self, field: FieldDef) -> tuple[str, ...]:
        return ("answered",)

    def view_extras(self, builder: ViewBuilder, view: View, path: Path) -> None:
        value = view["value"] if isinstance(view["value"], Mapping) else {}
        view["statement"] = view["field"]["statement"]
        view["display_date"] = readable_date(value.get("date")) or value.get("date")
        for part in _PARTS:
            view[part] = builder.part((*path, part), value.get(part))

    def display(self, field: FieldDef, value: Any) -> Any:
        if not isinstance(value, Mapping):
            return str(value)
        signed = value.get("signature") or "—"
        return f"Signed: {signed}, {readable_date(value.get('date')) or '—'}"

    def to_fhir(self, field: FieldDef, item: dict[str, Any]) -> None:
        link_id = item["linkId"]
        item["type"] = "group"
        item["item"] = [
            {"linkId": f"{link_id}.statement", "type": "display", "text": field["statement"]},
            {
                "linkId": f"{link_id}.signature",
                "text": "Signature",
                "type": "string",
                "required": True,
                "maxLength": SIGNATURE_MAX_LENGTH,
            },
            {"linkId": f"{link_id}.date", "text": "Date", "type": "date", "required": True},
        ]

    def fhir_claims(self, item: Mapping[str, Any]) -> bool:
        """A plain group of ``<id>.statement`` (with text), ``.signature`` and ``.date``, as
        we export it."""
        link_id = item.get("linkId")
        expected = {f"{link_id}.statement", f"{link_id}.signature", f"{link_id}.date"}
        statement = child(item, f"{link_id}.statement")
        return (
            item.get("type") == "group"
            and not item.get("repeats")
            and child_link_ids(item) == expected
            and bool(str(statement.get("text") or "").strip())
        )

    def fhir_response_items(
        self, field: FieldDef, link_id: str, value: Any
    ) -> list[dict[str, Any]]:
        parts = []
        if isinstance(value, Mapping) and not is_blank(value.get("signature")):
            answer = [{"valueString": value["signature"]}]
            parts.append({"linkId": f"{link_id}.signature", "text": "Signature", "answer": answer})
        if isinstance(value, Mapping) and not is_blank(value.get("date")):
            answer = [{"valueDate": value["date"]}]
            parts.append({"linkId": f"{link_id}.date", "text": "Date", "answer": answer})
        return [{"linkId": link_id, "text": field["label"], "item": parts}] if parts else []

    def from_fhir_response(
        self, reader: ResponseReader, field: FieldDef, items: list[Mapping[str, Any]], path: str
    ) -> Any:
        if len(items) > 1:
            reader.add(path, "This question appears more than once; answer it once.")
            return SKIP
        return reader.parts(items[0], field["id"], path, _PARTS) or SKIP

    def fhir_settings(
        self, importer: Importer, item: Mapping[str, Any], field: dict[str, Any]
    ) -> bool:
        statement = child(item, f"{item.get('linkId', '')}.statement")
        field["statement"] = limit(str(statement.get("text")), 2000)
        return True
