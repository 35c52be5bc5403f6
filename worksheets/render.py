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
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final, Literal

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from .fields import (
    Answers,
    Definition,
    FieldDef,
    fields_by_id,
    is_blank,
    is_required,
    iter_sections,
)
from .issues import Issue
from .response import visible_field_ids
from .types import type_of
from .types.base import Path, View

Mode = Literal["form", "readonly", "print"]
MediaResolver = Callable[[str], str | None]

FORM_PREFIX: Final = "f"
"""Input names are ``f.<field>``, ``f.<table>.<row>.<column>``, ``f.<emotions>.<i>.emotion``…"""

_MODES: Final = ("form", "readonly", "print")


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
    builder = ViewBuilder(definition, answers, errors, mode, media_url)
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
        # A published instrument's credit (or an adapted copy's) goes under the questions.
        "instrument": definition.get("instrument") or {},
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
    builder = ViewBuilder(definition, answers, errors, mode, media_url)
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


class ViewBuilder:
    """Builds the template context of each field: the common part here, the rest by the
    field's type (``view_extras``). Errors are claimed by the element they belong to; what
    no element claims is shown on the enclosing field."""

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
        summary: list[dict[str, str]] = []
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
            target = self.fields[condition["field"]]
            client_condition = type_of(target).equality_condition(target, condition)
            view["show_if_json"] = json.dumps(client_condition, separators=(",", ":"))
            if printing_blank:
                view["condition_text"] = self.describe_condition(condition)
        rest = self.claim_rest(field_id, view["html_id"], field["label"])
        if rest:
            view["errors"] += rest
            self.describe(view)
        return view

    def view(self, field: FieldDef, path: Path, value: Any) -> View:
        """The view of a field or table column at ``path`` holding ``value``."""
        kind = type_of(field)
        key, html_id = _key(path), _html_id(path)
        view: View = {
            "field": field,
            "type": kind.name,
            "template": kind.template,
            "name": form_name(*path),
            "html_id": html_id,
            "label": field["label"],
            "help": field.get("help", ""),
            "required": is_required(field),
            "grouped": kind.grouped,
            "display_only": not kind.answerable,
            "value": value,
            "answered": not is_blank(value),
            "blank": self.blank,
            "errors": self.claim(key, html_id, self.summary_label(path, field["label"])),
            "describers": ["help"] if field.get("help") else [],
        }
        kind.view_extras(self, view, path)
        self.describe(view)
        view["wrapper"] = "fieldset" if view["grouped"] else "div"
        display = kind.display(field, value) if view["answered"] else None
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
        kind = type_of(target)
        label = f"“{target['label']}”"
        condition = kind.equality_condition(target, condition)
        op, value = condition["op"], condition.get("value")
        if op == "in":
            shown = " or ".join(f"“{kind.value_text(target, v)}”" for v in value or ())
            return f"Answer if {label} is {shown}."
        if op == "answered":
            return f"Answer if you answered {label}."
        words = {
            "equals": "is",
            "not_equals": "is not",
            "gte": "is at least",
            "lte": "is at most",
        }[op]
        return f"Answer if {label} {words} “{kind.value_text(target, value)}”."

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
