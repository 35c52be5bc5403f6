"""Personalised activity text: ``{client_name}`` and ``{therapist_name}`` filled in.

Plain token replacement, never a template: the text is written by therapists and curators, so
nothing in it is evaluated (``{{ x }}``, ``{client_name.__class__}`` or ``{other}`` stay as
typed), and the result is an ordinary string that templates escape like any other.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

TOKENS = ("client_name", "therapist_name")

# What staff see where no client is in context (a library preview).
PLACEHOLDERS = {"client_name": "[client's name]", "therapist_name": "[therapist's name]"}

# The keys of a definition that hold words a person reads; ids, types and scores are left alone.
TEXT_KEYS = frozenset({"title", "description", "label", "help", "placeholder", "text"})


def fill(text: str, names: Mapping[str, str]) -> str:
    """``text`` with each known token replaced by its name (an empty name leaves the token)."""
    if not text or "{" not in text:
        return text
    for token in TOKENS:
        name = names.get(token)
        if name:
            text = text.replace("{" + token + "}", name)
    return text


def personalise_definition(definition: Mapping[str, Any], names: Mapping[str, str]) -> dict:
    """A copy of a worksheet definition with the tokens filled in every text a person reads
    (section titles, field labels, help, option labels…). The stored definition is untouched:
    answers, validation and scoring keep reading the original."""

    def walk(node):
        if isinstance(node, dict):
            return {
                key: fill(value, names)
                if key in TEXT_KEYS and isinstance(value, str)
                else walk(value)
                for key, value in node.items()
            }
        if isinstance(node, list):
            return [walk(item) for item in node]
        return node

    return walk(copy.deepcopy(dict(definition)))
