"""The form builder's inputs for settings that are not typed as they are stored: numbers
typed as text, lists typed one per line, scale labels, options with scores, columns as JSON,
dates. Each shows the definition's value as text and cleans what was typed back into it."""

from __future__ import annotations

import json
import re
from typing import Any, Final

from django import forms

from core.forms import NativeDateInput

from .base import DefinitionInput

_NUMBER: Final = re.compile(r"-?\d+(\.\d+)?")


def lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def typed_number(text: str) -> int | float | None:
    """A number typed in the builder: ``7`` stays whole, ``7.0`` and ``7.5`` are decimals."""
    text = text.strip()
    if not text:
        return None
    if not _NUMBER.fullmatch(text):
        raise forms.ValidationError("Enter a number.")
    value = float(text)
    return int(value) if value.is_integer() and "." not in text else value


class NumberInput(forms.CharField):
    """A number typed as text, so "low" is reported instead of silently dropped."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, max_length=20, **kwargs)

    def clean(self, value: Any) -> int | float | None:
        return typed_number(super().clean(value))


class LinesInput(DefinitionInput, forms.CharField):
    """A list of words, one per line."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 3}))
        super().__init__(required=False, **kwargs)

    def definition_text(self, value: Any) -> str:
        return "\n".join(value)

    def clean(self, value: Any) -> list[str]:
        return lines(super().clean(value))


class AnchorsInput(DefinitionInput, forms.CharField):
    """Scale labels, one “point = label” per line."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, widget=forms.Textarea(attrs={"rows": 3}), **kwargs)

    def definition_text(self, value: Any) -> str:
        return "\n".join(f"{point} = {label}" for point, label in value.items())

    def clean(self, value: Any) -> dict[str, str]:
        anchors = {}
        for line in lines(super().clean(value)):
            point, sep, text = line.partition("=")
            if not sep or not point.strip() or not text.strip():
                raise forms.ValidationError(f"Write each label as “number = text”: “{line}”.")
            anchors[point.strip()] = text.strip()
        return anchors


class OptionsInput(DefinitionInput, forms.CharField):
    """Options, one label per line, with “| score” after those that have one. Cleans to
    ``{"label", "score"?}`` objects; the choice type gives them their values."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, widget=forms.Textarea(attrs={"rows": 4}), **kwargs)

    def definition_text(self, value: Any) -> str:
        return "\n".join(
            option["label"] + (f" | {option['score']}" if "score" in option else "")
            for option in value
        )

    def clean(self, value: Any) -> list[dict[str, Any]]:
        options: list[dict[str, Any]] = []
        for line in lines(super().clean(value)):
            label, sep, score = line.rpartition("|") if "|" in line else (line, "", "")
            option: dict[str, Any] = {"label": label.strip()}
            if sep:
                try:
                    option["score"] = typed_number(score)
                except forms.ValidationError:
                    raise forms.ValidationError(
                        f"The score of “{option['label']}” is not a number."
                    ) from None
            options.append(option)
        return options


class JsonInput(DefinitionInput, forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        attrs = {"rows": 6, "spellcheck": "false", "class": "code"}
        super().__init__(required=False, widget=forms.Textarea(attrs=attrs), **kwargs)

    def definition_text(self, value: Any) -> str:
        return json.dumps(value, indent=2, ensure_ascii=False)

    def clean(self, value: Any) -> Any:
        text = super().clean(value)
        if not text:
            return None
        try:
            return json.loads(text)
        except ValueError as exc:
            raise forms.ValidationError(f"This is not valid JSON: {exc}") from None


class DateInput(DefinitionInput, forms.DateField):
    """A date picker for a ``YYYY-MM-DD`` setting."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, widget=NativeDateInput(), **kwargs)

    def definition_text(self, value: Any) -> Any:
        return value

    def clean(self, value: Any) -> str | None:
        day = super().clean(value)
        return day.isoformat() if day else None
