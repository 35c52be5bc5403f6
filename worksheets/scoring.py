"""Scoring of measures (PHQ-9, GAD-7, …): item scores, total, severity band, and the
answers that meet a risk rule (``worksheets.risk``).

Risk rules are evaluated on whatever was answered, complete or not: an item-9 answer on a
half-finished PHQ-9 must still alert the therapist.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .fields import Answers, Definition, FieldDef, fields_by_id
from .risk import CriticalAnswer, risk_answers
from .types import type_of

Score = int | float


@dataclass(frozen=True)
class Band:
    label: str
    severity: str
    note: str | None = None


@dataclass(frozen=True)
class SubscaleScore:
    """One subscale's total (already multiplied; None when one of its items is missing and
    the scoring requires all items) and the band it falls in."""

    id: str
    label: str
    total: Score | None
    band: Band | None

    def as_dict(self) -> dict[str, Any]:
        band = _band_dict(self.band)
        return {"id": self.id, "label": self.label, "total": self.total, "band": band}


@dataclass(frozen=True)
class ScoreResult:
    """``total`` is None when the items needed for a total are missing; ``complete`` says
    whether every item was answered; ``prorated`` whether missing items were filled in."""

    total: Score | None
    band: Band | None
    items: dict[str, Score]
    flags: list[CriticalAnswer]
    complete: bool
    prorated: bool
    subscales: tuple[SubscaleScore, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape documented in docs/worksheet-format.md. ``subscales`` is there only
        for a measure that has them, so the scores already stored keep their shape."""
        result: dict[str, Any] = {
            "total": self.total,
            "band": _band_dict(self.band),
            "items": dict(self.items),
            "flags": [{"field": f.field, "message": f.message} for f in self.flags],
            "complete": self.complete,
            "prorated": self.prorated,
        }
        if self.subscales:
            result["subscales"] = [subscale.as_dict() for subscale in self.subscales]
        return result


def _band_dict(band: Band | None) -> dict[str, Any] | None:
    if band is None:
        return None
    shaped = {"label": band.label, "severity": band.severity}
    if band.note:
        shaped["note"] = band.note
    return shaped


def score_response(definition: Definition, answers: Answers) -> ScoreResult | None:
    """Score cleaned answers (see ``clean_response``); None when the worksheet is not scored.

    Answers that are missing or not valid for their item count as missing items.
    """
    scoring = definition.get("scoring")
    if not scoring:
        return None
    fields = fields_by_id(definition)
    item_ids = scoring["items"]
    items = {
        item_id: score
        for item_id in item_ids
        if (score := _item_score(fields[item_id], answers.get(item_id))) is not None
    }
    missing = len(item_ids) - len(items)
    total, prorated = _total(scoring, items, missing)
    return ScoreResult(
        total=total,
        band=_band_for(scoring.get("bands") or [], total),
        items=items,
        flags=risk_answers(definition, answers),
        complete=missing == 0,
        prorated=prorated,
        subscales=tuple(
            _subscale(scoring, subscale, items) for subscale in scoring.get("subscales") or []
        ),
    )


def _subscale(
    scoring: Mapping[str, Any], subscale: Mapping[str, Any], items: Mapping[str, Score]
) -> SubscaleScore:
    """A subscale's total is the sum of its items' scores times its multiplier (DASS-21 × 2,
    for comparison with DASS-42 norms). It is never prorated: with ``requires_all_items``
    a missing item leaves the subscale without a total, as the published scoring says."""
    answered = [items[item_id] for item_id in subscale["items"] if item_id in items]
    total: Score | None = None
    complete = len(answered) == len(subscale["items"])
    if answered and (complete or not scoring.get("requires_all_items", True)):
        summed = sum((Decimal(str(score)) for score in answered), Decimal(0))
        total = _plain(summed * Decimal(str(subscale.get("multiplier", 1))))
    return SubscaleScore(
        id=subscale["id"],
        label=subscale["label"],
        total=total,
        band=_band_for(subscale.get("bands") or [], total),
    )


def _item_score(field: FieldDef, answer: Any) -> Score | None:
    return type_of(field).item_score(field, answer)


def _total(
    scoring: Mapping[str, Any], items: Mapping[str, Score], missing: int
) -> tuple[Score | None, bool]:
    """The total and whether it was prorated.

    With ``requires_all_items`` (the default) a total needs every item, except that up to
    ``prorate_max_missing`` missing items may be filled in with the mean of the answered ones
    (total × items / answered, rounded half up to a whole number). Without it, the total is
    the sum of whatever was answered.
    """
    if not items:
        return None, False
    answered = sum((Decimal(str(score)) for score in items.values()), Decimal(0))
    if missing == 0 or not scoring.get("requires_all_items", True):
        return _plain(answered), False
    if missing <= scoring.get("prorate_max_missing", 0):
        scaled = answered * (len(items) + missing) / len(items)
        return int(scaled.quantize(Decimal(1), rounding=ROUND_HALF_UP)), True
    return None, False


def _band_for(bands: list[Mapping[str, Any]], total: Score | None) -> Band | None:
    """The band a total falls in. Bands are whole numbers; a fractional total between two
    bands (9.5 between 5–9 and 10–14) belongs to the lower one, i.e. a band runs from its
    ``min`` up to the next band's ``min``."""
    if total is None:
        return None
    chosen = None
    for band in sorted(bands, key=lambda b: b["min"]):
        if band["min"] <= total:
            chosen = band
    if chosen is None or total > max(b["max"] for b in bands):
        return None
    return Band(chosen["label"], chosen["severity"], chosen.get("note"))


def _plain(number: Decimal) -> Score:
    """A JSON-friendly number: an int when whole, else a float."""
    return int(number) if number == number.to_integral_value() else float(number)
