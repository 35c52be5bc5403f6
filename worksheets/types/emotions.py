"""``emotions``: feelings the client names, each rated for intensity from 0 to 100."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

from django import forms

from ..fhir.common import (
    MAX_OCCURS,
    MAX_VALUE,
    MIN_VALUE,
    child,
    child_link_ids,
    extension,
    extension_value,
    limit,
    whole_in,
)
from ..fields import FieldDef, as_int, is_blank
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
    row_indexes,
    stripped,
    text_problem,
    whole_value,
)
from .inputs import LinesInput

if TYPE_CHECKING:
    from ..definition import DefinitionChecker
    from ..fhir.importer import Importer
    from ..fhir.response import ResponseReader
    from ..render import ViewBuilder
    from ..response import AnswerCleaner

EMOTION_MAX_LENGTH: Final = 60
INTENSITY_MIN: Final = 0
INTENSITY_MAX: Final = 100
_PARTS: Final = ("emotion", "intensity")
_ITEM_KEYS: Final = frozenset(_PARTS)


class Emotions(FieldType):
    name = "emotions"
    label = "Feelings with intensity"
    id_stem = "feelings"
    keys = frozenset({"suggestions", "max_items", "intensity_label"})
    defaults = {"max_items": 10, "suggestions": []}
    required_message = "Add at least one emotion."
    grouped = True
    new_field = {"label": "How did you feel?", "suggestions": ["Anxious", "Sad", "Angry", "Calm"]}
    builder_fields = {
        "suggestions": LinesInput(label="Suggested feelings", help_text="One per line."),
        "max_items": forms.IntegerField(
            label="At most this many feelings", required=False, min_value=1
        ),
        "intensity_label": forms.CharField(
            label="Intensity question", required=False, max_length=100
        ),
    }

    def check(self, checker: DefinitionChecker, field: FieldDef, path: str) -> None:
        suggestions = field.get("suggestions")
        suggestions_path = key_path(path, "suggestions")
        if isinstance(suggestions, list) and len(suggestions) <= 100:
            seen: set[str] = set()
            for index, word in enumerate(suggestions):
                word_path = index_path(suggestions_path, index)
                if not isinstance(word, str) or not word.strip() or len(word) > 60:
                    checker.add(word_path, "Suggestions must be words of 1–60 characters.")
                elif word.casefold() in seen:
                    checker.add(word_path, f"Suggestions must be unique: '{word}' appears twice.")
                else:
                    seen.add(word.casefold())
        elif "suggestions" in field:
            checker.add(suggestions_path, "'suggestions' must be a list of at most 100 words.")
        checker.whole(field, "max_items", path, low=1, high=50)
        checker.text(field, "intensity_label", path, limit=100)

    def schema(self) -> JsonSchema:
        return {
            "properties": {
                "suggestions": {
                    "type": "array",
                    "maxItems": 100,
                    "items": {"type": "string", "minLength": 1, "maxLength": EMOTION_MAX_LENGTH},
                    "default": [],
                },
                "max_items": {"type": "integer", "minimum": 1, "maximum": 50, "default": 10},
                "intensity_label": {"type": "string", "minLength": 1, "maxLength": 100},
            }
        }

    def clean(self, cleaner: AnswerCleaner, field: FieldDef, value: Any, path: str) -> Any:
        if not isinstance(value, list):
            cleaner.add(path, "Send emotions as a list of {emotion, intensity} objects.")
            return SKIP
        items: list[dict[str, Any]] = []
        seen: set[str] = set()
        for index, item in enumerate(value):
            item_path = index_path(path, index)
            if not isinstance(item, Mapping):
                cleaner.add(
                    item_path, "Each emotion must be an object with 'emotion' and 'intensity'."
                )
                continue
            cleaner.unknown_keys(item, item_path, _ITEM_KEYS)
            if is_blank(item):
                continue
            cleaned = _clean_item(cleaner, item, item_path)
            name = cleaned.get("emotion")
            if isinstance(name, str) and name.strip().casefold() in seen:
                cleaner.add(key_path(item_path, "emotion"), f"{quote(name)} is listed twice.")
            elif isinstance(name, str):
                seen.add(name.strip().casefold())
            items.append(cleaned)
        limit = self.setting(field, "max_items")
        if len(items) > limit:
            cleaner.add(path, f"List at most {count(limit, 'emotion')}.")
        return items

    def parse(self, field: FieldDef, data: FormData, name: str) -> list[dict[str, Any]] | None:
        items = []
        for index in row_indexes(data, name):
            item = {
                "emotion": stripped(data, f"{name}.{index}.emotion"),
                "intensity": whole_value(stripped(data, f"{name}.{index}.intensity")),
            }
            item = {key: value for key, value in item.items() if value is not None}
            if item:
                items.append(item)
        return items or None

    def condition_ops(self, field: FieldDef) -> tuple[str, ...]:
        return ("answered",)

    def view_extras(self, builder: ViewBuilder, view: View, path: Path) -> None:
        field = view["field"]
        given = view["value"] if isinstance(view["value"], list) else []
        view["suggestions"] = self.setting(field, "suggestions")
        view["intensity_label"] = field.get("intensity_label", "Intensity")
        view["max_items"] = self.setting(field, "max_items")
        view["intensity_range"] = f"{INTENSITY_MIN}–{INTENSITY_MAX}"
        view["items"] = [_item(builder, path, index, item) for index, item in enumerate(given)]
        if builder.mode == "form":
            if len(given) < view["max_items"]:
                view["items"].append(_item(builder, path, len(given), {}))
            view["item_template"] = _item(builder, path, ROW_PLACEHOLDER, {})
        elif builder.blank:
            rows = min(view["max_items"], PRINT_MIN_ROWS)
            view["items"] = [_item(builder, path, index, {}) for index in range(rows)]

    def display(self, field: FieldDef, value: Any) -> Any:
        if not isinstance(value, list):
            return str(value)
        return [_item_text(item) for item in value if not is_blank(item)]

    def to_fhir(self, field: FieldDef, item: dict[str, Any]) -> None:
        link_id = item["linkId"]
        suggestions = self.setting(field, "suggestions")
        emotion: dict[str, Any] = {
            "linkId": f"{link_id}.emotion",
            "text": "Emotion",
            "type": "open-choice" if suggestions else "string",
            "required": True,
            "maxLength": EMOTION_MAX_LENGTH,
        }
        if suggestions:
            emotion["answerOption"] = [{"valueString": word} for word in suggestions]
        intensity = {
            "linkId": f"{link_id}.intensity",
            "text": field.get("intensity_label", "Intensity"),
            "type": "integer",
            "required": True,
        }
        extension(intensity, MIN_VALUE, "valueInteger", INTENSITY_MIN)
        extension(intensity, MAX_VALUE, "valueInteger", INTENSITY_MAX)
        item.update(type="group", repeats=True, item=[emotion, intensity])
        if "max_items" in field:
            extension(item, MAX_OCCURS, "valueInteger", field["max_items"])

    def fhir_claims(self, item: Mapping[str, Any]) -> bool:
        """A repeating group of ``<id>.emotion`` and ``<id>.intensity``, as we export it."""
        link_id = item.get("linkId")
        return (
            item.get("type") == "group"
            and bool(item.get("repeats"))
            and child_link_ids(item) == {f"{link_id}.emotion", f"{link_id}.intensity"}
        )

    def fhir_response_items(
        self, field: FieldDef, link_id: str, value: Any
    ) -> list[dict[str, Any]]:
        """One repeated group per emotion, its name and intensity as parts."""
        rows = []
        for entry in value if isinstance(value, list) else []:
            parts = []
            if not is_blank(entry.get("emotion")):
                answer = [{"valueString": entry["emotion"]}]
                parts.append({"linkId": f"{link_id}.emotion", "text": "Emotion", "answer": answer})
            if not is_blank(entry.get("intensity")):
                answer = [{"valueInteger": entry["intensity"]}]
                text = field.get("intensity_label", "Intensity")
                parts.append({"linkId": f"{link_id}.intensity", "text": text, "answer": answer})
            if parts:
                rows.append({"linkId": link_id, "text": field["label"], "item": parts})
        return rows

    def from_fhir_response(
        self, reader: ResponseReader, field: FieldDef, items: list[Mapping[str, Any]], path: str
    ) -> Any:
        return [
            reader.parts(item, field["id"], index_path(path, index), _PARTS)
            for index, item in enumerate(items)
        ]

    def fhir_settings(
        self, importer: Importer, item: Mapping[str, Any], field: dict[str, Any]
    ) -> bool:
        link_id = str(item.get("linkId"))
        emotion = child(item, f"{link_id}.emotion")
        intensity = child(item, f"{link_id}.intensity")
        words: list[str] = []
        for answer in emotion.get("answerOption") or []:
            word = answer.get("valueString")
            fits = isinstance(word, str) and 0 < len(word.strip()) <= EMOTION_MAX_LENGTH
            if fits and word.casefold() not in {w.casefold() for w in words}:
                words.append(word)
        if words:
            field["suggestions"] = words[:100]
        high = extension_value(item, MAX_OCCURS)
        if whole_in(high, 1, 50):
            field["max_items"] = high
        if intensity.get("text") and intensity["text"] != "Intensity":
            field["intensity_label"] = limit(intensity["text"], 100)
        return True


def _clean_item(cleaner: AnswerCleaner, item: Mapping[str, Any], path: str) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    name, intensity = item.get("emotion"), item.get("intensity")
    if is_blank(name):
        cleaner.add(key_path(path, "emotion"), "Name the emotion.")
    elif problem := text_problem(name, EMOTION_MAX_LENGTH):
        cleaner.add(key_path(path, "emotion"), problem)
    else:
        cleaned["emotion"] = name
    if is_blank(intensity) and cleaner.draft:
        return cleaned
    level = as_int(intensity)
    if level is None or not INTENSITY_MIN <= level <= INTENSITY_MAX:
        cleaner.add(
            key_path(path, "intensity"),
            f"Rate the intensity from {INTENSITY_MIN} to {INTENSITY_MAX}.",
        )
    else:
        cleaned["intensity"] = level
    return cleaned


def _item(builder: ViewBuilder, path: Path, index: int | str, item: Any) -> View:
    item = item if isinstance(item, Mapping) else {}
    parts = {part: builder.part((*path, index, part), item.get(part)) for part in _PARTS}
    return {"number": index + 1 if isinstance(index, int) else "", **parts}


def _item_text(item: Any) -> str:
    if not isinstance(item, Mapping):
        return str(item)
    intensity = item.get("intensity")
    name = item.get("emotion") or "—"
    return f"{name} — {intensity}" if intensity not in (None, "") else str(name)
