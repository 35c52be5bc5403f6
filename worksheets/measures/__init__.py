"""Standard measures shipped with Bridgework, as worksheet definitions (JSON files here)."""

from __future__ import annotations

import json
from importlib.resources import files
from typing import Any, Final

MEASURES: Final = ("phq9", "gad7")


def load_measure(name: str) -> dict[str, Any]:
    """A fresh copy of a standard measure's definition, e.g. ``load_measure("phq9")``; each
    call parses the file again, so callers may modify the result."""
    if name not in MEASURES:
        raise KeyError(f"No standard measure named {name!r}; known: {', '.join(MEASURES)}.")
    text = files(__name__).joinpath(f"{name}.json").read_text(encoding="utf-8")
    return json.loads(text)
