"""One renderer per field type for the client form, the read-only response view and the
printable/PDF view, so the three never disagree about what a worksheet shows.

Python builds a small view (a dict) per field — names, ids, values, errors, display text —
and the templates in ``templates/worksheets/`` only lay it out; each field template handles
the three modes. The output is a fragment: the page supplies the ``<form>``, CSRF token and
buttons. All client text is escaped by the templates; instructions go through
:func:`render_markdown`.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final, Literal

from django.template.loader import render_to_string
from django.utils import dateformat
from django.utils.safestring import SafeString, mark_safe

from .conditions import options_meeting
from .fields import (
    DISPLAY_TYPES,
    INTENSITY_MAX,
    INTENSITY_MIN,
    LIST_CHOICE_TYPES,
    Answers,
    Definition,
    FieldDef,
    fields_by_id,
    is_blank,
    is_required,
    iter_sections,
    option_by_value,
    parse_date,
    rating_values,
    setting,
)
from .issues import Issue
from .markdown import render_markdown
from .response import visible_field_ids

Mode = Literal["form", "readonly", "print"]
MediaResolver = Callable[[str], str | None]

FORM_PREFIX: Final = "f"
"""Input names are ``f.<field>``, ``f.<table>.<row>.<column>``, ``f.<emotions>.<i>.emotion``…"""

ROW_PLACEHOLDER: Final = "__row__"
"""Row index in the ``<template data-row-template>`` the page's script copies to add rows."""

MAX_RADIO_POINTS: Final = 11
"""Scales longer than this (e.g. 0–100 %) are typed as a number: 101 radio buttons are no
good on a phone or on paper."""

PRINT_MIN_ROWS: Final = 5
_MODES: Final = ("form", "readonly", "print")
_EMOTION_PARTS: Final = ("emotion", "intensity")
_COMMITMENT_PARTS: Final = ("signature", "date")
_GROUPED_TYPES: Final = frozenset(
    {"single_choice", "multiple_choice", "checklist", "table", "emotions", "commitment"}
)


def render_worksheet(
    definition: Definition,
    *,
    answers: Answers | None = None,
    errors: Iterable[Issue | Mapping[str, str]] | None = None,
    mode: Mode = "form",
    media_url: MediaResolver | None = None,
) -> SafeString:
    """The whole worksheet as HTML.

    ``answers`` may be raw (e.g. a re-displayed form that failed validation); ``errors`` are
    issues from ``validate_response``/``validate_draft`` (or their ``as_dict()``), shown next
    to their fields and in a summary. In print mode ``answers=None`` gives a blank worksheet
    to fill in by hand. ``media_url`` turns an uploaded media id into a URL.
    """
    builder = _ViewBuilder(definition, answers, errors, mode, media_url)
    sections = []
    for section in iter_sections(definition):
        views = [builder.field_view(field) for field in section["fields"]]
        views = [view for view in views if view["visible"] or mode == "form"]
        if views:
            sections.append({"section": section, "fields": views})
    context = {
        "mode": mode,
        "sections": sections,
        "error_summary": builder.error_summary(),
    }
    return render_to_string("worksheets/_worksheet.html", context)


def render_field(
    field: FieldDef,
    *,
    definition: Definition,
    answers: Answers | None = None,
    errors: Iterable[Issue | Mapping[str, str]] | None = None,
    mode: Mode = "form",
    media_url: MediaResolver | None = None,
) -> SafeString:
    """One top-level field of ``definition`` as HTML (e.g. for an htmx swap after autosave).

    The definition is needed to evaluate ``show_if``.
    """
    builder = _ViewBuilder(definition, answers, errors, mode, media_url)
    view = builder.field_view(field)
    return render_to_string(view["template"], {"f": view, "mode": mode})


def form_name(*parts: str | int) -> str:
    """The HTML input name for a path, e.g. ``form_name("thoughts", 0, "belief")``."""
    return ".".join([FORM_PREFIX, *map(str, parts)])


def _key(path: tuple[str | int, ...]) -> str:
    """Where an element's errors are filed: its path with dots, as :func:`issue_key` gives."""
    return ".".join(map(str, path))


def _html_id(path: tuple[str | int, ...]) -> str:
    return "f-" + "-".join(map(str, path))


def issue_key(path: str) -> str:
    """An issue path (``thoughts[1].belief``) in input-name form (``thoughts.1.belief``)."""
    return re.sub(r"\[(\d+)\]", r".\1", path)


class _ViewBuilder:
    """Builds the template context of each field. Errors are claimed by the element they
    belong to; what no element claims is shown on the enclosing field."""

    def __init__(
        self,
        definition: Definition,
        answers: Answers | None,
        errors: Iterable[Issue | Mapping[str, str]] | None,
        mode: Mode,
        media_url: MediaResolver | None,
    ) -> None:
        if mode not in _MODES:
            raise ValueError(f"mode must be one of {', '.join(_MODES)}, not {mode!r}.")
        self.fields = fields_by_id(definition)
        self.mode = mode
        self.blank = answers is None
        self.answers: Answers = answers if isinstance(answers, Mapping) else {}
        self.visible = visible_field_ids(definition, self.answers)
        self.media_url = media_url
        self.errors: dict[str, list[str]] = {}
        for issue in errors or ():
            path, message = (
                (issue.path, issue.message)
                if isinstance(issue, Issue)
                else (issue["path"], issue["message"])
            )
            self.errors.setdefault(issue_key(path), []).append(message)
        self.claimed: dict[str, tuple[str, str]] = {}

    # -- errors -----------------------------------------------------------------------------

    def claim(self, key: str, html_id: str, label: str) -> list[str]:
        messages = self.errors.get(key, [])
        if messages:
            self.claimed[key] = (html_id, label)
        return list(messages)

    def claim_rest(self, key: str, html_id: str, label: str) -> list[str]:
        """Errors under ``key`` that no inner element claimed (a row that is not an object,
        an unknown column, one chosen value of a list)."""
        messages: list[str] = []
        for path, found in self.errors.items():
            if path.startswith(f"{key}.") and path not in self.claimed:
                self.claimed[path] = (html_id, label)
                messages.extend(found)
        return messages

    def summary_label(self, path: tuple[str | int, ...], label: str) -> str:
        """How the error summary names an element: "Thoughts, row 2, Belief"."""
        top = self.fields[str(path[0])]["label"]
        if len(path) == 1:
            return top
        row = f", row {path[1] + 1}" if isinstance(path[1], int) else ""
        return f"{top}{row}, {label}"

    def error_summary(self) -> list[dict[str, str]]:
        summary = []
        for path, messages in self.errors.items():
            html_id, label = self.claimed.get(path, ("", ""))
            href = f"#{html_id}" if html_id else ""
            summary.extend({"href": href, "label": label, "message": m} for m in messages)
        return summary

    # -- fields -----------------------------------------------------------------------------

    def field_view(self, field: FieldDef) -> dict[str, Any]:
        field_id = field["id"]
        view = self.view(field, (field_id,), self.answers.get(field_id))
        # A blank printout shows every field (with its condition in words): paper cannot hide.
        printing_blank = self.blank and self.mode == "print"
        view["visible"] = printing_blank or field_id in self.visible
        condition = field.get("show_if")
        if condition:
            client_condition = _for_the_browser(condition, self.fields[condition["field"]])
            view["show_if_json"] = json.dumps(client_condition, separators=(",", ":"))
            if printing_blank:
                view["condition_text"] = self.describe_condition(condition)
        rest = self.claim_rest(field_id, view["html_id"], field["label"])
        if rest:
            view["errors"] += rest
            self.describe(view)
        return view

    def view(self, field: FieldDef, path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
        field_type = field["type"]
        key, html_id = _key(path), _html_id(path)
        view: dict[str, Any] = {
            "field": field,
            "type": field_type,
            "template": f"worksheets/fields/_{field_type}.html",
            "name": form_name(*path),
            "html_id": html_id,
            "label": field["label"],
            "help": field.get("help", ""),
            "required": is_required(field),
            "grouped": field_type in _GROUPED_TYPES,
            "display_only": field_type in DISPLAY_TYPES,
            "value": value,
            "answered": not is_blank(value),
            "blank": self.blank,
            "errors": self.claim(key, html_id, self.summary_label(path, field["label"])),
            "describers": ["help"] if field.get("help") else [],
        }
        _EXTRAS[field_type](self, view, path)
        self.describe(view)
        view["wrapper"] = "fieldset" if view["grouped"] else "div"
        display = _display(field, value) if view["answered"] else None
        view["display"] = display
        view["display_text"] = ", ".join(display) if isinstance(display, list) else display
        return view

    def describe(self, view: dict[str, Any]) -> None:
        """``aria-describedby``: the help, hints such as units or scale anchors, the errors."""
        parts = view["describers"] + (["error"] if view["errors"] else [])
        view["describedby"] = " ".join(f"{view['html_id']}-{part}" for part in parts)

    def describe_condition(self, condition: Mapping[str, Any]) -> str:
        """The condition in words, printed on a blank worksheet where nothing can hide."""
        target = self.fields[condition["field"]]
        label = f"“{target['label']}”"
        condition = _for_the_browser(condition, target)
        op, value = condition["op"], condition.get("value")
        if op == "answered":
            return f"Answer if you answered {label}."
        if op == "in":
            shown = " or ".join(f"“{_value_text(target, v)}”" for v in value)
            return f"Answer if {label} is {shown}."
        words = {
            "equals": "is",
            "not_equals": "is not",
            "gte": "is at least",
            "lte": "is at most",
        }[op]
        return f"Answer if {label} {words} “{_value_text(target, value)}”."

    # -- per type ---------------------------------------------------------------------------

    def text_extras(self, view: dict[str, Any], path: tuple[str | int, ...]) -> None:
        field = view["field"]
        max_length = setting(field, "max_length")
        view["max_length"] = max_length
        view["placeholder"] = field.get("placeholder", "")
        # Paper needs room to write: about one line per 300 characters allowed, 3 to 10.
        view["print_lines"] = range(
            1 if field["type"] == "short_text" else max(3, min(10, math.ceil(max_length / 300)))
        )
        view["rows"] = 6 if max_length > 1000 else 4

    def number_extras(self, view: dict[str, Any], path: tuple[str | int, ...]) -> None:
        field = view["field"]
        step = setting(field, "step")
        view["inputmode"] = "numeric" if float(step).is_integer() else "decimal"
        view["unit"] = field.get("unit", "")
        view["range_text"] = _range_text(field.get("min"), field.get("max"))
        if view["unit"] or view["range_text"]:
            view["describers"].append("unit")
        range_hint = f"({view['range_text']})" if view["range_text"] else ""
        view["print_hint"] = " ".join(filter(None, (view["unit"], range_hint)))

    def rating_extras(self, view: dict[str, Any], path: tuple[str | int, ...]) -> None:
        field = view["field"]
        anchors = field.get("anchors") or {}
        scale = rating_values(field)
        view["as_radios"] = view["grouped"] = len(scale) <= MAX_RADIO_POINTS
        view["range_text"] = f"{scale.start}–{scale[-1]}"
        if anchors and not view["as_radios"]:
            view["describers"].append("scale")
        view["anchors"] = [
            {"point": int(point), "label": label}
            for point, label in sorted(anchors.items(), key=lambda item: int(item[0]))
        ]
        view["points"] = [
            {
                "value": point,
                "html_id": f"{view['html_id']}-{index}",
                "anchor": anchors.get(str(point), ""),
                "checked": str(point) == str(view["value"]),
            }
            for index, point in enumerate(scale)
        ]

    def choice_extras(self, view: dict[str, Any], path: tuple[str | int, ...]) -> None:
        field, value = view["field"], view["value"]
        chosen = value if isinstance(value, list) else [value]
        view["multiple"] = field["type"] in LIST_CHOICE_TYPES
        view["options"] = [
            {
                "value": option["value"],
                "label": option["label"],
                "html_id": f"{view['html_id']}-{index}",
                "checked": option["value"] in chosen,
            }
            for index, option in enumerate(field["options"])
        ]

    def date_extras(self, view: dict[str, Any], path: tuple[str | int, ...]) -> None:
        view["min"] = view["field"].get("min", "")
        view["max"] = view["field"].get("max", "")

    def time_extras(self, view: dict[str, Any], path: tuple[str | int, ...]) -> None:
        """Time inputs need nothing beyond the common view."""

    def duration_extras(self, view: dict[str, Any], path: tuple[str | int, ...]) -> None:
        view["range_text"] = f"0–{setting(view['field'], 'max_minutes')}"
        view["describers"].append("unit")

    def table_extras(self, view: dict[str, Any], path: tuple[str | int, ...]) -> None:
        field = view["field"]
        given = view["value"] if isinstance(view["value"], list) else []
        view["columns"] = field["columns"]
        view["row_label"] = field.get("row_label", "Row")
        view["max_rows"] = setting(field, "max_rows")
        view["rows"] = [self.table_row(field, path, index, row) for index, row in enumerate(given)]
        if self.mode == "form":
            wanted = max(1, setting(field, "initial_rows") - len(given))
            blanks = range(len(given), min(view["max_rows"], len(given) + wanted))
            view["rows"] += [self.table_row(field, path, index, {}) for index in blanks]
            view["row_template"] = self.table_row(field, path, ROW_PLACEHOLDER, {})
        elif self.blank:
            count = min(view["max_rows"], max(PRINT_MIN_ROWS, setting(field, "initial_rows")))
            view["rows"] = [self.table_row(field, path, index, {}) for index in range(count)]

    def table_row(
        self, field: FieldDef, path: tuple[str | int, ...], index: int | str, row: Any
    ) -> dict[str, Any]:
        cells = row if isinstance(row, Mapping) else {}
        return {
            "number": index + 1 if isinstance(index, int) else "",
            "cells": [
                self.view(column, (*path, index, column["id"]), cells.get(column["id"]))
                for column in field["columns"]
            ],
        }

    def emotions_extras(self, view: dict[str, Any], path: tuple[str | int, ...]) -> None:
        field = view["field"]
        given = view["value"] if isinstance(view["value"], list) else []
        view["suggestions"] = setting(field, "suggestions")
        view["intensity_label"] = field.get("intensity_label", "Intensity")
        view["max_items"] = setting(field, "max_items")
        view["intensity_range"] = f"{INTENSITY_MIN}–{INTENSITY_MAX}"
        view["items"] = [self.emotion_item(path, index, item) for index, item in enumerate(given)]
        if self.mode == "form":
            if len(given) < view["max_items"]:
                view["items"].append(self.emotion_item(path, len(given), {}))
            view["item_template"] = self.emotion_item(path, ROW_PLACEHOLDER, {})
        elif self.blank:
            count = min(view["max_items"], PRINT_MIN_ROWS)
            view["items"] = [self.emotion_item(path, index, {}) for index in range(count)]

    def emotion_item(
        self, path: tuple[str | int, ...], index: int | str, item: Any
    ) -> dict[str, Any]:
        item = item if isinstance(item, Mapping) else {}
        parts = {part: self.part((*path, index, part), item.get(part)) for part in _EMOTION_PARTS}
        return {"number": index + 1 if isinstance(index, int) else "", **parts}

    def part(self, path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
        """One input of a composite answer (an emotion's name, a commitment's signature)."""
        html_id = _html_id(path)
        label = self.summary_label(path, str(path[-1]).title())
        return {
            "name": form_name(*path),
            "html_id": html_id,
            "value": value,
            "errors": self.claim(_key(path), html_id, label),
        }

    def commitment_extras(self, view: dict[str, Any], path: tuple[str | int, ...]) -> None:
        value = view["value"] if isinstance(view["value"], Mapping) else {}
        view["statement"] = view["field"]["statement"]
        day = parse_date(value.get("date"))
        view["display_date"] = dateformat.format(day, "j M Y") if day else value.get("date")
        for part in _COMMITMENT_PARTS:
            view[part] = self.part((*path, part), value.get(part))

    def instructions_extras(self, view: dict[str, Any], path: tuple[str | int, ...]) -> None:
        # render_markdown escapes raw HTML and sanitises the result with an allow-list.
        view["body_html"] = mark_safe(render_markdown(view["field"]["body"]))  # noqa: S308

    def media_extras(self, view: dict[str, Any], path: tuple[str | int, ...]) -> None:
        field = view["field"]
        upload = field.get("upload")
        resolved = self.media_url(upload) if upload and self.media_url else None
        view["src"] = field.get("url") or resolved
        view["kind"] = field["kind"]
        view["caption"] = field.get("caption", "")
        view["transcript"] = field.get("transcript", "")


_Extras = Callable[[_ViewBuilder, dict[str, Any], tuple[str | int, ...]], None]
_EXTRAS: Final[Mapping[str, _Extras]] = {
    "short_text": _ViewBuilder.text_extras,
    "long_text": _ViewBuilder.text_extras,
    "number": _ViewBuilder.number_extras,
    "rating": _ViewBuilder.rating_extras,
    "single_choice": _ViewBuilder.choice_extras,
    "multiple_choice": _ViewBuilder.choice_extras,
    "checklist": _ViewBuilder.choice_extras,
    "date": _ViewBuilder.date_extras,
    "time": _ViewBuilder.time_extras,
    "duration": _ViewBuilder.duration_extras,
    "table": _ViewBuilder.table_extras,
    "emotions": _ViewBuilder.emotions_extras,
    "instructions": _ViewBuilder.instructions_extras,
    "media": _ViewBuilder.media_extras,
    "commitment": _ViewBuilder.commitment_extras,
}


def _for_the_browser(condition: Mapping[str, Any], target: FieldDef) -> Mapping[str, Any]:
    """The condition as the page's script (and a reader) can evaluate it from the visible
    options alone: a score threshold on a single choice becomes the options that reach it."""
    op = condition["op"]
    if target["type"] != "single_choice" or op not in ("gte", "lte"):
        return condition
    values = [option["value"] for option in options_meeting(target, op, condition["value"])]
    return {"field": condition["field"], "op": "in", "value": values}


def _display(field: FieldDef, value: Any) -> Any:
    """An answer as the read-only view and a filled-in print show it: labels for options,
    units, readable dates and durations; a list of lines for lists. Invalid answers are shown
    as they are."""
    field_type = field["type"]
    if field_type in LIST_CHOICE_TYPES and isinstance(value, list):
        return [_value_text(field, v) for v in value]
    if field_type == "emotions" and isinstance(value, list):
        return [_emotion_text(item) for item in value if not is_blank(item)]
    if field_type == "table" and isinstance(value, list):
        rows = sum(not is_blank(row) for row in value)
        return f"{rows} row" if rows == 1 else f"{rows} rows"
    if field_type == "commitment" and isinstance(value, Mapping):
        day = parse_date(value.get("date"))
        signed = value.get("signature") or "—"
        return f"Signed: {signed}, {dateformat.format(day, 'j M Y') if day else '—'}"
    if field_type == "rating":
        anchor = (field.get("anchors") or {}).get(str(value))
        scale = rating_values(field)
        text = f"{value} ({scale.start}–{scale[-1]})"
        return f"{text}: {anchor}" if anchor else text
    if field_type == "duration" and isinstance(value, int):
        return _duration_text(value)
    if field_type == "number" and field.get("unit"):
        return f"{value} {field['unit']}"
    return _value_text(field, value)


def _emotion_text(item: Any) -> str:
    if not isinstance(item, Mapping):
        return str(item)
    intensity = item.get("intensity")
    name = item.get("emotion") or "—"
    return f"{name} — {intensity}" if intensity not in (None, "") else str(name)


def _value_text(field: FieldDef, value: Any) -> str:
    if field["type"] in ("single_choice", "multiple_choice", "checklist"):
        option = option_by_value(field, value)
        return option["label"] if option else str(value)
    if field["type"] == "date" and (day := parse_date(value)):
        return dateformat.format(day, "j M Y")
    return str(value)


def _duration_text(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest} min" if rest else f"{hours} h"


def _range_text(low: Any, high: Any) -> str:
    if low is not None and high is not None:
        return f"{low}–{high}"
    if low is not None:
        return f"≥ {low}"
    return f"≤ {high}" if high is not None else ""
