"""Validation of a worksheet definition's ``scoring``: the method, the scored items, the
totals they can reach, the bands covering those totals, the critical-answer rules and the
LOINC codes. A part of ``DefinitionChecker`` (``worksheets.definition``), which these checks
are mixed into: they use its record of the fields seen so far and its primitive checks.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from decimal import Decimal
from itertools import pairwise
from typing import TYPE_CHECKING, Any, Final, NamedTuple

from .fields import FieldDef
from .issues import index_path, key_path, quote
from .types import FIELD_TYPES, field_type

_CONDITION_KEYS: Final = frozenset({"field", "op", "value"})
_BAND_KEYS: Final = frozenset({"min", "max", "label", "severity", "note"})
_SCORING_KEYS: Final = frozenset(
    {"method", "items", "min_total", "max_total", "bands", "critical", "loinc", "subscales"}
    | {"show_score_to_client", "requires_all_items", "prorate_max_missing"}
)
_SUBSCALE_KEYS: Final = frozenset({"id", "label", "items", "multiplier", "bands"})
Score = int | float
_ID_PATTERN: Final = re.compile(r"[a-z][a-z0-9_]{0,49}")
_SEVERITY_PATTERN: Final = re.compile(r"[a-z][a-z_]{0,29}")
_LOINC_PATTERN: Final = re.compile(r"\d{1,8}-\d")


class _Band(NamedTuple):
    min: int
    max: int
    label: str
    position: int


class ScoringChecks:
    """The checks of the ``scoring`` object, mixed into ``DefinitionChecker``."""

    if TYPE_CHECKING:
        # What the checks use of ``DefinitionChecker``, which defines them.
        fields: dict[str, FieldDef]
        sound_fields: dict[str, FieldDef]

        def add(self, path: str, message: str) -> None: ...

        def keys(
            self,
            obj: Mapping[str, Any],
            path: str,
            allowed: Collection[str],
            required: Collection[str],
            what: str,
        ) -> None: ...

        def text(
            self,
            obj: Mapping[str, Any],
            key: str,
            path: str,
            *,
            limit: int,
            allow_blank: bool = False,
        ) -> str | None: ...

        def whole(
            self,
            obj: Mapping[str, Any],
            key: str,
            path: str,
            *,
            low: int | None = None,
            high: int | None = None,
        ) -> int | None: ...

        def number(self, obj: Mapping[str, Any], key: str, path: str) -> int | float | None: ...

        def boolean(self, obj: Mapping[str, Any], key: str, path: str) -> None: ...

        def condition_shape(
            self, condition: Any, path: str, allowed: frozenset[str], what: str
        ) -> bool: ...

        def condition_fits(self, condition: Mapping[str, Any], path: str) -> None: ...

    def check_scoring(self, scoring: Any, path: str) -> None:
        if not isinstance(scoring, Mapping):
            self.add(path, "'scoring' must be an object or null.")
            return
        self.keys(
            scoring, path, _SCORING_KEYS, ("method", "items", "min_total", "max_total"), "scoring"
        )
        if "method" in scoring and scoring["method"] != "sum":
            self.add(
                key_path(path, "method"),
                f"Unknown scoring method {quote(scoring['method'])}; the only method is 'sum'.",
            )
        items = (
            self.check_items(scoring["items"], key_path(path, "items"))
            if "items" in scoring
            else None
        )
        low = self.number(scoring, "min_total", path)
        high = self.number(scoring, "max_total", path)
        if low is not None and high is not None and low > high:
            self.add(
                key_path(path, "min_total"), f"'min_total' ({low}) is greater than 'max_total'."
            )
            low = high = None
        if (
            items
            and low is not None
            and high is not None
            and not self.check_total_range(items, low, high, path)
        ):
            # Bands are checked against the totals; wrong totals would make every band look
            # wrong too.
            low = high = None
        if "bands" in scoring:
            self.check_bands(scoring["bands"], key_path(path, "bands"), low, high)
        if "critical" in scoring:
            self.check_critical(scoring["critical"], key_path(path, "critical"))
        for key in ("show_score_to_client", "requires_all_items"):
            self.boolean(scoring, key, path)
        prorate = self.whole(scoring, "prorate_max_missing", path, low=0)
        if prorate is not None and items is not None and prorate >= len(items):
            self.add(
                key_path(path, "prorate_max_missing"),
                f"'prorate_max_missing' must be smaller than the number of items ({len(items)}).",
            )
        if "loinc" in scoring:
            self.check_loinc(scoring["loinc"], key_path(path, "loinc"))
        if "subscales" in scoring:
            listed = scoring.get("items")
            if not isinstance(listed, list):
                listed = []
            self.check_subscales(scoring["subscales"], key_path(path, "subscales"), listed)

    def check_subscales(self, subscales: Any, path: str, scored: list[Any]) -> None:
        """Subscales (DASS-21's depression, anxiety and stress; PCL-5's clusters) are named
        groups of the scored items, each with its own total (× an optional multiplier) and
        bands covering exactly what that total can reach."""
        if not isinstance(subscales, list) or not subscales:
            self.add(path, "'subscales' must be a non-empty list of subscales.")
            return
        seen: set[str] = set()
        for index, subscale in enumerate(subscales):
            sub_path = index_path(path, index)
            if not isinstance(subscale, Mapping):
                self.add(sub_path, "Each subscale must be an object.")
                continue
            self.keys(subscale, sub_path, _SUBSCALE_KEYS, ("id", "label", "items"), "a subscale")
            sub_id = subscale.get("id")
            if "id" in subscale and not (isinstance(sub_id, str) and _ID_PATTERN.fullmatch(sub_id)):
                self.add(
                    key_path(sub_path, "id"),
                    "A subscale id starts with a lowercase letter and has only lowercase "
                    "letters, digits and underscores.",
                )
            elif isinstance(sub_id, str):
                if sub_id in seen:
                    self.add(key_path(sub_path, "id"), f"Subscale id '{sub_id}' is used twice.")
                seen.add(sub_id)
            self.text(subscale, "label", sub_path, limit=100)
            multiplier = self.number(subscale, "multiplier", sub_path)
            if multiplier is not None and multiplier <= 0:
                self.add(key_path(sub_path, "multiplier"), "'multiplier' must be above 0.")
                multiplier = None
            items = self.subscale_items(subscale.get("items"), key_path(sub_path, "items"), scored)
            if "bands" in subscale:
                reach = None
                if items is not None and (multiplier is not None or "multiplier" not in subscale):
                    reach = _reach(items, multiplier if multiplier is not None else 1)
                low, high = reach or (None, None)
                self.check_bands(
                    subscale["bands"],
                    key_path(sub_path, "bands"),
                    low,
                    high,
                    whose=("(the subscale's items × its multiplier)",) * 2,
                )

    def subscale_items(self, items: Any, path: str, scored: list[Any]) -> list[FieldDef] | None:
        """A subscale's fields (each one of the scoring items), or None when they cannot all be
        relied on."""
        if not isinstance(items, list) or not items:
            self.add(path, "A subscale's 'items' must be a non-empty list of scoring items.")
            return None
        fields: list[FieldDef] = []
        for index, field_id in enumerate(items):
            item_path = index_path(path, index)
            if not isinstance(field_id, str) or field_id not in scored:
                self.add(
                    item_path,
                    f"Subscale item {quote(field_id)} is not one of the scoring 'items'.",
                )
            elif items.index(field_id) != index:
                self.add(item_path, f"Subscale item '{field_id}' is listed twice.")
            elif field_id in self.sound_fields:
                fields.append(self.fields[field_id])
        return fields if len(fields) == len(items) else None

    def check_items(self, items: Any, path: str) -> list[FieldDef] | None:
        """The scored fields, or None when they cannot all be relied on."""
        if not isinstance(items, list) or not items:
            self.add(path, "'items' must be a non-empty list of field ids.")
            return None
        fields: list[FieldDef] = []
        seen: set[str] = set()
        for index, field_id in enumerate(items):
            item_path = index_path(path, index)
            field = self.fields.get(field_id) if isinstance(field_id, str) else None
            if field is None:
                self.add(
                    item_path, f"Scoring item {quote(field_id)} is not a field of this worksheet."
                )
            elif field_id in seen:
                self.add(item_path, f"Scoring item '{field_id}' is listed twice.")
            elif _type_of(field) not in FIELD_TYPES or not field_type(field["type"]).scorable:
                self.add(
                    item_path,
                    f"Scoring item '{field_id}' is a {field.get('type')} field; only "
                    f"{_scorable_types()} fields can be scored.",
                )
            elif field_id in self.sound_fields and self.item_scored(field, item_path):
                fields.append(field)
            if isinstance(field_id, str):
                seen.add(field_id)
        return fields if len(fields) == len(items) else None

    def item_scored(self, field: FieldDef, path: str) -> bool:
        problem = field_type(field["type"]).score_problem(field)
        if problem:
            self.add(path, problem)
        return problem is None

    def check_total_range(
        self,
        items: list[FieldDef],
        low: int | float,
        high: int | float,
        path: str,
    ) -> bool:
        """min_total/max_total must be what the items can actually add up to, or bands would
        describe totals nobody can reach. False when they are not."""
        ranges = [field_type(field["type"]).score_range(field) for field in items]
        known = [r for r in ranges if r is not None]
        if len(known) != len(ranges):
            return True
        reachable_low = sum(Decimal(str(r[0])) for r in known)
        reachable_high = sum(Decimal(str(r[1])) for r in known)
        if Decimal(str(low)) != reachable_low:
            self.add(
                key_path(path, "min_total"),
                f"'min_total' is {low}, but the items add up to at least {reachable_low}.",
            )
        if Decimal(str(high)) != reachable_high:
            self.add(
                key_path(path, "max_total"),
                f"'max_total' is {high}, but the items add up to at most {reachable_high}.",
            )
        return Decimal(str(low)) == reachable_low and Decimal(str(high)) == reachable_high

    def check_bands(
        self,
        bands: Any,
        path: str,
        low: int | float | None,
        high: int | float | None,
        *,
        whose: tuple[str, str] = ("('min_total')", "('max_total')"),
    ) -> None:
        if not isinstance(bands, list):
            self.add(path, "'bands' must be a list.")
            return
        parsed: list[_Band] = []
        for index, band in enumerate(bands):
            band_path = index_path(path, index)
            if not isinstance(band, Mapping):
                self.add(band_path, "Each band must be an object.")
                continue
            self.keys(band, band_path, _BAND_KEYS, ("min", "max", "label", "severity"), "a band")
            band_min = self.whole(band, "min", band_path)
            band_max = self.whole(band, "max", band_path)
            label = self.text(band, "label", band_path, limit=100)
            self.text(band, "note", band_path, limit=300)
            severity = band.get("severity")
            if "severity" in band and not (
                isinstance(severity, str) and _SEVERITY_PATTERN.fullmatch(severity)
            ):
                self.add(
                    key_path(band_path, "severity"),
                    "'severity' must be a lowercase word such as 'mild' or 'moderately_severe'.",
                )
            if band_min is not None and band_max is not None:
                if band_min > band_max:
                    self.add(
                        key_path(band_path, "min"),
                        f"Band {quote(label)} starts at {band_min} but ends at {band_max}.",
                    )
                else:
                    parsed.append(_Band(band_min, band_max, label or "", index))
        if parsed and len(parsed) == len(bands):
            self.check_band_coverage(parsed, path, low, high, whose=whose)

    def check_band_coverage(
        self,
        bands: list[_Band],
        path: str,
        low: int | float | None,
        high: int | float | None,
        *,
        whose: tuple[str, str] = ("('min_total')", "('max_total')"),
    ) -> None:
        """``whose`` names where the range comes from in the messages: the scoring's totals,
        or a subscale's items times its multiplier."""
        ordered = sorted(bands)
        if ordered != bands:
            self.add(path, "List bands from the lowest to the highest total.")
        if low is not None and ordered[0].min != low:
            self.add(
                key_path(index_path(path, ordered[0].position), "min"),
                f"The lowest band starts at {ordered[0].min}, but totals start at {low} "
                f"{whose[0]}.",
            )
        for previous, band in pairwise(ordered):
            band_path = key_path(index_path(path, band.position), "min")
            if band.min <= previous.max:
                self.add(
                    band_path,
                    f"Bands overlap: '{previous.label}' ({previous.min}–{previous.max}) and "
                    f"'{band.label}' ({band.min}–{band.max}) both include {band.min}.",
                )
            elif band.min > previous.max + 1:
                gap = _span(previous.max + 1, band.min - 1)
                self.add(band_path, f"Bands leave a gap: no band covers {gap}.")
        if high is not None and ordered[-1].max != high:
            self.add(
                key_path(index_path(path, ordered[-1].position), "max"),
                f"The highest band ends at {ordered[-1].max}, but totals go up to {high} "
                f"{whose[1]}.",
            )

    def check_critical(self, rules: Any, path: str) -> None:
        if not isinstance(rules, list):
            self.add(path, "'critical' must be a list of rules.")
            return
        for index, rule in enumerate(rules):
            rule_path = index_path(path, index)
            allowed = _CONDITION_KEYS | {"message"}
            if self.condition_shape(rule, rule_path, allowed, "a critical rule"):
                if rule["field"] in self.fields:
                    self.condition_fits(rule, rule_path)
                else:
                    self.add(
                        key_path(rule_path, "field"),
                        f"Critical rule on '{rule['field']}', which is not a field of this "
                        "worksheet.",
                    )
            if isinstance(rule, Mapping):
                if "message" not in rule:
                    self.add(key_path(rule_path, "message"), "'message' is required.")
                self.text(rule, "message", rule_path, limit=300)

    def check_loinc(self, loinc: Any, path: str) -> None:
        if not isinstance(loinc, Mapping):
            self.add(path, "'loinc' must be an object with 'panel' and/or 'total' codes.")
            return
        self.keys(loinc, path, frozenset({"panel", "total"}), (), "loinc")
        for key in ("panel", "total"):
            code = loinc.get(key)
            if key in loinc and not (isinstance(code, str) and _LOINC_PATTERN.fullmatch(code)):
                self.add(
                    key_path(path, key),
                    f"{quote(code)} is not a LOINC code (digits, a dash and a check digit, "
                    "e.g. 44249-1).",
                )


def _reach(items: list[FieldDef], multiplier: int | float) -> tuple[Score, Score] | None:
    """The lowest and highest totals these items can add up to, times the multiplier; None when
    an item is unbounded."""
    ranges = [field_type(field["type"]).score_range(field) for field in items]
    if any(r is None for r in ranges):
        return None
    factor = Decimal(str(multiplier))
    low = sum((Decimal(str(r[0])) for r in ranges if r), Decimal(0)) * factor
    high = sum((Decimal(str(r[1])) for r in ranges if r), Decimal(0)) * factor
    return _plain(low), _plain(high)


def _plain(number: Decimal) -> int | float:
    return int(number) if number == number.to_integral_value() else float(number)


def _type_of(field: FieldDef) -> str:
    """The field's type, or "" when it is not even a string (reported elsewhere)."""
    field_type = field.get("type")
    return field_type if isinstance(field_type, str) else ""


def _scorable_types() -> str:
    """ "single_choice, rating and number", as a message lists them."""
    names = [t for t in FIELD_TYPES if field_type(t).scorable]
    return ", ".join(names[:-1]) + " and " + names[-1]


def _span(low: int, high: int) -> str:
    return str(low) if low == high else f"{low}–{high}"
