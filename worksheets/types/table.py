"""``table``: rows the client adds, each a set of answers to typed columns (a thought
record's situations, thoughts and beliefs)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

from django import forms

from ..fhir.common import (
    MAX_OCCURS,
    MIN_OCCURS,
    children,
    extension,
    extension_value,
    item_control_code,
    whole_in,
)
from ..fields import FieldDef, is_blank
from ..issues import index_path, key_path, quote
from .base import (
    PRINT_MIN_ROWS,
    ROW_PLACEHOLDER,
    SKIP,
    FieldType,
    FormData,
    JsonSchema,
    Path,
    View,
    count,
    field_type,
    row_indexes,
)
from .inputs import JsonInput

if TYPE_CHECKING:
    from ..definition import DefinitionChecker
    from ..fhir.importer import Importer
    from ..fhir.response import ResponseReader
    from ..render import ViewBuilder
    from ..response import AnswerCleaner

MAX_COLUMNS: Final = 20
MAX_ROWS: Final = 200


class Table(FieldType):
    name = "table"
    label = "Table of entries"
    keys = frozenset({"columns", "min_rows", "max_rows", "initial_rows", "row_label"})
    required_keys = ("columns",)
    defaults = {"min_rows": 0, "max_rows": 50, "initial_rows": 1}
    required_message = "Add at least one row."
    grouped = True
    new_field = {
        "label": "Entries",
        "columns": [{"id": "entry", "type": "short_text", "label": "Entry"}],
        "row_label": "Entry",
    }
    builder_fields = {
        "columns": JsonInput(
            label="Columns (JSON)",
            help_text='A list of fields, e.g. [{"id": "thought", "type": "short_text", '
            '"label": "Thought"}].',
        ),
        "row_label": forms.CharField(
            label="What one row is called", required=False, max_length=100
        ),
        "min_rows": forms.IntegerField(
            label="At least this many rows", required=False, min_value=0
        ),
        "max_rows": forms.IntegerField(label="At most this many rows", required=False, min_value=1),
        "initial_rows": forms.IntegerField(
            label="Rows shown at first", required=False, min_value=0
        ),
    }
    fhir_fallback = True

    def check(self, checker: DefinitionChecker, field: FieldDef, path: str) -> None:
        columns = field.get("columns")
        columns_path = key_path(path, "columns")
        if "columns" in field:
            if not isinstance(columns, list) or not columns:
                checker.add(columns_path, "A table needs a non-empty list of columns.")
            elif len(columns) > MAX_COLUMNS:
                checker.add(columns_path, f"A table can have at most {MAX_COLUMNS} columns.")
            else:
                seen: dict[str, str] = {}
                for index, column in enumerate(columns):
                    checker.check_column(column, index_path(columns_path, index), seen)
        low = checker.whole(field, "min_rows", path, low=0, high=MAX_ROWS)
        high = checker.whole(field, "max_rows", path, low=1, high=MAX_ROWS)
        if low is not None and high is not None and low > high:
            checker.add(
                key_path(path, "min_rows"),
                f"'min_rows' ({low}) is greater than 'max_rows' ({high}).",
            )
        limit = high if high is not None else self.defaults["max_rows"]
        checker.whole(field, "initial_rows", path, low=0, high=limit)
        checker.text(field, "row_label", path, limit=60)

    def schema(self) -> JsonSchema:
        return {
            "properties": {
                "columns": {
                    "type": "array",
                    "minItems": 1,
                    "maxItems": MAX_COLUMNS,
                    "items": {"$ref": "#/$defs/column"},
                },
                "min_rows": {"type": "integer", "minimum": 0, "maximum": MAX_ROWS, "default": 0},
                "max_rows": {"type": "integer", "minimum": 1, "maximum": MAX_ROWS, "default": 50},
                "initial_rows": {
                    "type": "integer",
                    "minimum": 0,
                    "maximum": MAX_ROWS,
                    "default": 1,
                },
                "row_label": {"type": "string", "minLength": 1, "maxLength": 60},
            },
            "required": ["columns"],
        }

    def clean(self, cleaner: AnswerCleaner, field: FieldDef, value: Any, path: str) -> Any:
        if not isinstance(value, list):
            cleaner.add(path, "Send the table as a list of rows.")
            return SKIP
        columns = {column["id"]: column for column in field["columns"]}
        rows: list[dict[str, Any]] = []
        for index, row in enumerate(value):
            row_path = index_path(path, index)
            if not isinstance(row, Mapping):
                cleaner.add(row_path, "Each row must be an object keyed by column id.")
                continue
            for key in row:
                if key not in columns:
                    cleaner.add(key_path(row_path, str(key)), f"Unknown column {quote(key)}.")
            if not is_blank(row):
                rows.append(_clean_row(cleaner, columns, row, row_path))
        high, low = self.setting(field, "max_rows"), self.setting(field, "min_rows")
        if len(rows) > high:
            cleaner.add(path, f"Add at most {count(high, 'row')}.")
        elif len(rows) < low and not cleaner.draft:
            cleaner.add(path, f"Add at least {count(low, 'row')}.")
        return rows

    def parse(self, field: FieldDef, data: FormData, name: str) -> list[dict[str, Any]] | None:
        rows = []
        for index in row_indexes(data, name):
            row = {
                column["id"]: field_type(column["type"]).parse(
                    column, data, f"{name}.{index}.{column['id']}"
                )
                for column in field["columns"]
            }
            row = {key: value for key, value in row.items() if not is_blank(value)}
            if row:
                rows.append(row)
        return rows or None

    def condition_ops(self, field: FieldDef) -> tuple[str, ...]:
        return ("answered",)

    def view_extras(self, builder: ViewBuilder, view: View, path: Path) -> None:
        field = view["field"]
        given = view["value"] if isinstance(view["value"], list) else []
        view["columns"] = field["columns"]
        view["row_label"] = field.get("row_label", "Row")
        view["max_rows"] = self.setting(field, "max_rows")
        initial_rows = self.setting(field, "initial_rows")
        view["rows"] = [_row(builder, field, path, index, row) for index, row in enumerate(given)]
        if builder.mode == "form":
            wanted = max(1, initial_rows - len(given))
            blanks = range(len(given), min(view["max_rows"], len(given) + wanted))
            view["rows"] += [_row(builder, field, path, index, {}) for index in blanks]
            view["row_template"] = _row(builder, field, path, ROW_PLACEHOLDER, {})
        elif builder.blank:
            rows = min(view["max_rows"], max(PRINT_MIN_ROWS, initial_rows))
            view["rows"] = [_row(builder, field, path, index, {}) for index in range(rows)]

    def display(self, field: FieldDef, value: Any) -> Any:
        if not isinstance(value, list):
            return str(value)
        rows = sum(not is_blank(row) for row in value)
        return f"{rows} row" if rows == 1 else f"{rows} rows"

    def to_fhir(self, field: FieldDef, item: dict[str, Any]) -> None:
        # Imported here: the exporter imports the registry, which imports this module.
        from ..fhir.export import field_item

        item.update(type="group", repeats=True)
        item["item"] = [field_item(c, f"{item['linkId']}.{c['id']}") for c in field["columns"]]
        if field.get("min_rows"):
            extension(item, MIN_OCCURS, "valueInteger", field["min_rows"])
        if "max_rows" in field:
            extension(item, MAX_OCCURS, "valueInteger", field["max_rows"])

    def fhir_claims(self, item: Mapping[str, Any]) -> bool:
        return item.get("type") == "group"

    def fhir_response_items(
        self, field: FieldDef, link_id: str, value: Any
    ) -> list[dict[str, Any]]:
        """One repeated group per row; each answered cell is the column type's own item."""
        rows = []
        for row in value if isinstance(value, list) else []:
            cells = []
            for column in field["columns"]:
                cell = row.get(column["id"]) if isinstance(row, Mapping) else None
                if not is_blank(cell):
                    cell_id = f"{link_id}.{column['id']}"
                    cells.extend(
                        field_type(column["type"]).fhir_response_items(column, cell_id, cell)
                    )
            if cells:
                rows.append({"linkId": link_id, "text": field["label"], "item": cells})
        return rows

    def from_fhir_response(
        self, reader: ResponseReader, field: FieldDef, items: list[Mapping[str, Any]], path: str
    ) -> Any:
        columns = {column["id"]: column for column in field["columns"]}
        rows = []
        for index, item in enumerate(items):
            row_path = index_path(path, index)
            cells: dict[str, list[Mapping[str, Any]]] = {}
            for child in item.get("item") or []:
                child_id = str(child.get("linkId", ""))
                column_id = child_id.removeprefix(f"{field['id']}.")
                if column_id == child_id or column_id not in columns:
                    reader.add(row_path, f"{quote(child_id)} is not a column of this table.")
                    continue
                cells.setdefault(column_id, []).append(child)
            row = {}
            for column_id, cell_items in cells.items():
                column = columns[column_id]
                cell_path = key_path(row_path, column_id)
                value = field_type(column["type"]).from_fhir_response(
                    reader, column, cell_items, cell_path
                )
                if value is not SKIP:
                    row[column_id] = value
            rows.append(row)
        return rows

    def fhir_settings(
        self, importer: Importer, item: Mapping[str, Any], field: dict[str, Any]
    ) -> bool:
        link_id = str(item.get("linkId", ""))
        columns: list[dict[str, Any]] = []
        taken: set[str] = set()
        for child in children(item):
            if item_control_code(child) == "help":
                continue
            column = importer.column(child, link_id, taken)
            if column is not None:
                taken.add(column["id"])
                columns.append(column)
        if not columns:
            importer.skip(f"Repeating group '{link_id}' skipped: none of its items fit a table.")
            return False
        field["columns"] = columns[:MAX_COLUMNS]
        low, high = extension_value(item, MIN_OCCURS), extension_value(item, MAX_OCCURS)
        if whole_in(low, 1, MAX_ROWS):
            field["min_rows"] = low
        if whole_in(high, max(1, field.get("min_rows", 0)), MAX_ROWS):
            field["max_rows"] = high
        return True


def _clean_row(
    cleaner: AnswerCleaner, columns: Mapping[str, FieldDef], row: Mapping[str, Any], row_path: str
) -> dict[str, Any]:
    cleaned = {}
    for column_id, column in columns.items():
        value = cleaner.value(column, row.get(column_id), key_path(row_path, column_id))
        if value is not SKIP:
            cleaned[column_id] = value
    return cleaned


def _row(builder: ViewBuilder, field: FieldDef, path: Path, index: int | str, row: Any) -> View:
    cells = row if isinstance(row, Mapping) else {}
    return {
        "number": index + 1 if isinstance(index, int) else "",
        "cells": [
            builder.view(column, (*path, index, column["id"]), cells.get(column["id"]))
            for column in field["columns"]
        ],
    }
