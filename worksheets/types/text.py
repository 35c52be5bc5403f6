"""What short and long text fields share: a length limit, a placeholder, text answers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from django import forms

from ..fhir.common import ENTRY_FORMAT, extension, extension_value, limit, whole_in
from ..fields import FieldDef
from ..issues import quote
from .base import EQUALITY_OPS, FieldType, JsonSchema, Path, View, text_problem

if TYPE_CHECKING:
    from ..definition import DefinitionChecker
    from ..fhir.importer import Importer
    from ..forms import FormData
    from ..render import ViewBuilder
    from ..response import AnswerCleaner


class TextType(FieldType):
    keys = frozenset({"max_length", "placeholder"})
    column = True
    id_stem = "answer"
    max_length_limit: ClassVar[int]
    fhir_type: ClassVar[str]
    builder_fields = {
        "max_length": forms.IntegerField(
            label="Longest answer (characters)", required=False, min_value=1
        ),
        "placeholder": forms.CharField(
            label="Example shown in the empty box", required=False, max_length=200
        ),
    }

    def check(self, checker: DefinitionChecker, field: FieldDef, path: str) -> None:
        checker.whole(field, "max_length", path, low=1, high=self.max_length_limit)
        checker.text(field, "placeholder", path, limit=200, allow_blank=True)

    def schema(self) -> JsonSchema:
        return {
            "properties": {
                "max_length": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": self.max_length_limit,
                    "default": self.defaults["max_length"],
                },
                "placeholder": {"type": "string", "minLength": 0, "maxLength": 200},
            }
        }

    def clean(self, cleaner: AnswerCleaner, field: FieldDef, value: Any, path: str) -> Any:
        problem = text_problem(value, self.setting(field, "max_length"))
        if problem:
            cleaner.add(path, problem)
        return value

    def parse(self, field: FieldDef, data: FormData, name: str) -> str | None:
        """Browsers send textarea line breaks as CRLF; store them as LF so lengths match
        what the client saw."""
        value = data.get(name)
        return value.replace("\r\n", "\n") if isinstance(value, str) and value.strip() else None

    def condition_ops(self, field: FieldDef) -> tuple[str, ...]:
        return EQUALITY_OPS

    def value_problem(self, field: FieldDef, value: Any) -> str | None:
        return None if isinstance(value, str) else f"{quote(value)} is not text."

    def print_lines(self, max_length: int) -> int:
        """Lines to write on in a blank printout."""
        return 1

    def view_extras(self, builder: ViewBuilder, view: View, path: Path) -> None:
        field = view["field"]
        max_length = self.setting(field, "max_length")
        view["max_length"] = max_length
        view["placeholder"] = field.get("placeholder", "")
        view["print_lines"] = range(self.print_lines(max_length))
        view["rows"] = 6 if max_length > 1000 else 4

    def to_fhir(self, field: FieldDef, item: dict[str, Any]) -> None:
        item["type"] = self.fhir_type
        if "max_length" in field:
            item["maxLength"] = field["max_length"]
        if field.get("placeholder"):
            extension(item, ENTRY_FORMAT, "valueString", field["placeholder"])

    def fhir_answer(self, field: FieldDef, value: Any) -> dict[str, Any]:
        return {"answerString": value}

    def fhir_claims(self, item: Mapping[str, Any]) -> bool:
        return item.get("type") == self.fhir_type

    def fhir_settings(
        self, importer: Importer, item: Mapping[str, Any], field: dict[str, Any]
    ) -> bool:
        max_length = item.get("maxLength")
        if whole_in(max_length, 1):
            if max_length > self.max_length_limit:
                importer.skip(
                    f"Maximum length of '{item.get('linkId')}' lowered to {self.max_length_limit}."
                )
            field["max_length"] = min(max_length, self.max_length_limit)
        placeholder = extension_value(item, ENTRY_FORMAT)
        if isinstance(placeholder, str) and placeholder.strip():
            field["placeholder"] = limit(placeholder, 200)
        return True
