"""``rating``: a point on a whole-number scale, with labels (anchors) on some points."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

from ..fhir.common import (
    MAX_VALUE,
    MIN_VALUE,
    SLIDER_STEP,
    children,
    counts_minutes,
    extension,
    extension_value,
    item_control,
    item_control_code,
    limit,
    whole_in,
)
from ..fields import FieldDef, as_int
from ..issues import key_path, quote
from .base import (
    OPS,
    FormData,
    JsonSchema,
    Path,
    View,
    stripped,
    whole_value,
)
from .inputs import AnchorsInput, NumberInput
from .number import BoundedNumberType, typed_condition_number

if TYPE_CHECKING:
    from ..definition import DefinitionChecker
    from ..fhir.importer import Importer
    from ..render import ViewBuilder
    from ..response import AnswerCleaner

MAX_RATING_POINTS: Final = 101
MAX_RADIO_POINTS: Final = 11
"""Scales longer than this (e.g. 0–100 %) are typed as a number: 101 radio buttons are no
good on a phone or on paper."""


class Rating(BoundedNumberType):
    name = "rating"
    label = "Rating scale"
    keys = frozenset({"min", "max", "step", "anchors"})
    required_keys = ("min", "max")
    defaults = {"step": 1}
    column = True
    scorable = True
    new_field = {
        "label": "How strong was it?",
        "min": 0,
        "max": 10,
        "anchors": {"0": "Not at all", "10": "Extremely"},
    }
    builder_fields = {
        "min": NumberInput(label="Lowest value"),
        "max": NumberInput(label="Highest value"),
        "step": NumberInput(label="Step"),
        "anchors": AnchorsInput(
            label="Labels on the scale",
            help_text="One per line, e.g. “0 = Not at all”. Label both ends.",
        ),
    }

    def scale(self, field: FieldDef) -> range:
        """Every point of the scale, lowest first."""
        return range(field["min"], field["max"] + 1, self.setting(field, "step"))

    def check(self, checker: DefinitionChecker, field: FieldDef, path: str) -> None:
        low = checker.whole(field, "min", path)
        high = checker.whole(field, "max", path)
        step = checker.whole(field, "step", path, low=1)
        if low is None or high is None or ("step" in field and step is None):
            return
        step = step or 1
        if high <= low:
            checker.add(
                key_path(path, "max"), f"'max' ({high}) must be greater than 'min' ({low})."
            )
            return
        if (high - low) % step:
            checker.add(
                key_path(path, "step"),
                f"A scale from {low} to {high} cannot go in steps of {step}: "
                "'max' must be 'min' plus a multiple of 'step'.",
            )
            return
        points = (high - low) // step + 1
        if points > MAX_RATING_POINTS:
            checker.add(
                path,
                f"A rating scale can have at most {MAX_RATING_POINTS} points; "
                f"this one has {points}.",
            )
            return
        _check_anchors(checker, field, path, range(low, high + 1, step))

    def schema(self) -> JsonSchema:
        return {
            "properties": {
                "min": {"type": "integer"},
                "max": {"type": "integer"},
                "step": {"type": "integer", "minimum": 1, "default": 1},
                "anchors": {
                    "type": "object",
                    "propertyNames": {"pattern": "^-?(0|[1-9][0-9]*)$"},
                    "additionalProperties": {"type": "string", "minLength": 1, "maxLength": 100},
                },
            },
            "required": list(self.required_keys),
        }

    def clean(self, cleaner: AnswerCleaner, field: FieldDef, value: Any, path: str) -> Any:
        number = as_int(value)
        scale = self.scale(field)
        if number not in scale:
            steps = f" in steps of {scale.step}" if scale.step != 1 else ""
            cleaner.add(path, f"Choose a whole number from {scale.start} to {scale[-1]}{steps}.")
        return number

    def parse(self, field: FieldDef, data: FormData, name: str) -> Any:
        """Whole numbers only; ``7.5`` stays text for validation to report."""
        return whole_value(stripped(data, name))

    def condition_ops(self, field: FieldDef) -> tuple[str, ...]:
        return OPS

    def value_problem(self, field: FieldDef, value: Any) -> str | None:
        if as_int(value) in self.scale(field):
            return None
        return f"{quote(value)} is not a point on the scale of '{field['id']}'."

    def view_extras(self, builder: ViewBuilder, view: View, path: Path) -> None:
        field = view["field"]
        anchors = field.get("anchors") or {}
        scale = self.scale(field)
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

    def display(self, field: FieldDef, value: Any) -> Any:
        anchor = (field.get("anchors") or {}).get(str(value))
        scale = self.scale(field)
        text = f"{value} ({scale.start}–{scale[-1]})"
        return f"{text}: {anchor}" if anchor else text

    def integer_valued(self, field: FieldDef) -> bool:
        return True

    def to_fhir(self, field: FieldDef, item: dict[str, Any]) -> None:
        item["type"] = "integer"
        item["extension"] = [item_control("slider")]
        extension(item, MIN_VALUE, "valueInteger", field["min"])
        extension(item, MAX_VALUE, "valueInteger", field["max"])
        if "step" in field:
            extension(item, SLIDER_STEP, "valueInteger", field["step"])
        anchors = field.get("anchors") or {}
        for end, key in (("lower", str(field["min"])), ("upper", str(field["max"]))):
            if key in anchors:
                item.setdefault("item", []).append(
                    {
                        "linkId": f"{item['linkId']}-{end}",
                        "type": "display",
                        "text": anchors[key],
                        "extension": [item_control(end)],
                    }
                )

    def fhir_claims(self, item: Mapping[str, Any]) -> bool:
        low, high = extension_value(item, MIN_VALUE), extension_value(item, MAX_VALUE)
        step = extension_value(item, SLIDER_STEP)
        # A slider counting minutes is a duration.
        return (
            item.get("type") == "integer"
            and item_control_code(item) == "slider"
            and not counts_minutes(item)
            and _is_scale(low, high, step)
        )

    def fhir_settings(
        self, importer: Importer, item: Mapping[str, Any], field: dict[str, Any]
    ) -> bool:
        field.update(min=extension_value(item, MIN_VALUE), max=extension_value(item, MAX_VALUE))
        step = extension_value(item, SLIDER_STEP)
        if step is not None:
            field["step"] = step
        anchors = {}
        for child in children(item):
            end = item_control_code(child)
            if end in ("lower", "upper") and child.get("text"):
                key = str(field["min"] if end == "lower" else field["max"])
                anchors[key] = limit(child["text"], 100)
        if anchors:
            field["anchors"] = anchors
        return True

    def builder_condition_value(self, field: FieldDef, text: str) -> Any:
        return typed_condition_number(text)


def _check_anchors(checker: DefinitionChecker, field: FieldDef, path: str, scale: range) -> None:
    anchors = field.get("anchors")
    if anchors is None:
        return
    anchors_path = key_path(path, "anchors")
    if not isinstance(anchors, Mapping):
        checker.add(anchors_path, "'anchors' must be an object mapping scale points to labels.")
        return
    for key, label in anchors.items():
        anchor_path = key_path(anchors_path, str(key))
        if not re.fullmatch(r"-?(0|[1-9]\d*)", str(key)):
            checker.add(
                anchor_path,
                f'Anchor keys are scale points written as text, like "0"; got {quote(key)}.',
            )
        elif int(key) not in scale:
            checker.add(
                anchor_path,
                f"Anchor '{key}' is not a point on the scale {scale.start}–{scale[-1]}"
                + (f" (steps of {scale.step})." if scale.step != 1 else "."),
            )
        if not isinstance(label, str) or not label.strip() or len(label) > 100:
            checker.add(anchor_path, "Anchor labels must be text of 1–100 characters.")


def _is_scale(low: Any, high: Any, step: Any) -> bool:
    """Whether slider bounds make a valid rating scale (else the item becomes a number)."""
    step = 1 if step is None else step
    if not all(whole_in(v) for v in (low, high, step)):
        return False
    return step >= 1 and high > low and (high - low) % step == 0 and (high - low) // step < 101
