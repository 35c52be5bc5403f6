"""Standard measures shipped with Bridgework, as worksheet definitions (JSON files here).

Each file is a worksheet definition plus an ``outcomes`` object that is not part of the
definition (a worksheet never carries it): how change on the measure is judged — the points of
reliable change, the clinical cut-off ("caseness": a score at or above it is in the clinical
range), the remission threshold where one is defined, and the source of each.
``measure_outcomes`` finds them by the LOINC panel a definition's scoring carries, so a
practice's copy of PHQ-9 is judged like PHQ-9.

Thresholds are set only where they are published: an instrument without a published reliable
change or cut-off has ``null`` there (its ``source`` says so), and one without a LOINC panel
code has none. Change is judged only on measures that have both thresholds and a panel, so an
unpublished number is never stood in for.
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Any, Final

MEASURES: Final = ("phq9", "gad7", "phq2", "gad2", "phq15", "pcl5", "dass21", "k10")


_THRESHOLDS: Final = ("reliable_change", "clinical_cutoff")


def _read(name: str) -> dict[str, Any]:
    if name not in MEASURES:
        raise KeyError(f"No standard measure named {name!r}; known: {', '.join(MEASURES)}.")
    text = files(__name__).joinpath(f"{name}.json").read_text(encoding="utf-8")
    return json.loads(text)


def load_measure(name: str) -> dict[str, Any]:
    """A fresh copy of a standard measure's definition, e.g. ``load_measure("phq9")``; each
    call parses the file again, so callers may modify the result."""
    definition = _read(name)
    definition.pop("outcomes", None)
    return definition


@cache
def _outcomes_by_panel() -> dict[str, dict[str, Any]]:
    by_panel = {}
    for name in MEASURES:
        data = _read(name)
        panel = (data["scoring"].get("loinc") or {}).get("panel")
        outcomes = data.get("outcomes") or {}
        if panel and all(outcomes.get(key) is not None for key in _THRESHOLDS):
            by_panel[panel] = outcomes
    return by_panel


def measure_outcomes(panel: str | None) -> dict[str, Any] | None:
    """The ``outcomes`` of the standard measure with this LOINC panel code, if there is one:
    ``{"name", "reliable_change", "clinical_cutoff", "source"}`` and, where the measure has
    them, ``"remission_below"`` with ``"remission_source"`` and ``"caseness_used_by"`` (whose
    cut-off it is, when it differs from the instrument's own screening note)."""
    return _outcomes_by_panel().get(panel) if isinstance(panel, str) else None


def standard_outcomes() -> list[dict[str, Any]]:
    """The ``outcomes`` of every standard measure, for pages that explain the thresholds."""
    return list(_outcomes_by_panel().values())
