"""``long_text``: a paragraph or more."""

from __future__ import annotations

import math

from .text import TextType


class LongText(TextType):
    name = "long_text"
    label = "Long answer"
    defaults = {"max_length": 5000}
    max_length_limit = 20000
    fhir_type = "text"

    def print_lines(self, max_length: int) -> int:
        # Paper needs room to write: about one line per 300 characters allowed, 3 to 10.
        return max(3, min(10, math.ceil(max_length / 300)))
