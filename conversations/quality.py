"""The anchored homework-quality scale: four short items, each level with the words that
define it, so two therapists rating the same homework give the same number.

Adapted from the homework rating dimensions in Kazantzis et al. (quantity, quality, effort)
and Beck's question of whether the skill is used when it matters (when upset). It replaces
the unanchored 0–10 rating for new reviews; old 0–10 values stay readable where they were.
"""

from __future__ import annotations

from typing import Final

# name -> (question, [anchor text per level, from 0 up])
ITEMS: Final[dict[str, tuple[str, tuple[str, ...]]]] = {
    "quantity": (
        "How much of the agreed homework was done?",
        ("None of it", "Some of it", "All or nearly all of it"),
    ),
    "quality": (
        "How well was it done?",
        ("Not in the way agreed", "Partly as agreed", "As agreed, with real content"),
    ),
    "effort": (
        "How much effort went into it?",
        ("Little or none", "Some effort", "Clear, sustained effort"),
    ),
    "skill_when_upset": (
        "Was the skill used when upset, in the moment it was meant for?",
        ("Not yet", "Once, or partly", "Yes, when it mattered"),
    ),
}
MAX_LEVEL: Final = 2
MAX_TOTAL: Final = MAX_LEVEL * len(ITEMS)


def anchor(item: str, level: int | None) -> str:
    if level is None:
        return ""
    return ITEMS[item][1][level]


def total(levels: dict[str, int | None]) -> int | None:
    """The sum of the rated items, or None if none was rated."""
    rated = [value for value in levels.values() if value is not None]
    return sum(rated) if rated else None
