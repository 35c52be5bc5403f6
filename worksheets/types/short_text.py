"""``short_text``: one line of text."""

from __future__ import annotations

from .text import TextType


class ShortText(TextType):
    name = "short_text"
    label = "Short answer"
    defaults = {"max_length": 200}
    max_length_limit = 500
    fhir_type = "string"
