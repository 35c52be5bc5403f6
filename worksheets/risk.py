"""Risk rules: the answers that alert the therapist at once, whoever the entry is shared with.

A rule belongs to the item it watches, as the item's ``risk``::

    {"id": "q9", "type": "single_choice", ..., "risk": {"at_least": 1, "label": "Self-harm"}}
    {"id": "acted", "type": "single_choice", ..., "risk": {"equals": "yes"}}

Each field type says which kinds of rule it takes and how an answer meets one
(``FieldType.risk_kinds``/``risk_holds``/``risk_level``). Measures written before rules moved
onto items carry them as ``scoring.critical`` conditions; those still count here, so a
version an existing assignment is pinned to alerts exactly as before.

Rules are evaluated on whatever was answered, complete or not, autosaved or sent: a client
who answers item 9 and closes the tab must still reach a clinician.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .conditions import condition_holds
from .fields import Answers, Definition, FieldDef, is_blank, iter_fields
from .types import type_of
from .types.base import RISK_KINDS


@dataclass(frozen=True)
class RiskRule:
    """One rule on ``field``: its ``kind`` (``at_least``/``equals``; None for a legacy
    ``scoring.critical`` condition, whose operator is ``op``), its ``value``, and what the
    therapist is told it is about."""

    field: str
    kind: str | None
    op: str
    value: Any
    label: str

    def as_dict(self) -> dict[str, Any]:
        """As a flag records it: the condition it amounts to, and its label."""
        return {"field": self.field, "op": self.op, "value": self.value, "label": self.label}


@dataclass(frozen=True)
class CriticalAnswer:
    """An answer that meets a risk rule: the field, the message for the therapist, the rule,
    the level the answer endorses (item 9 answered 3 is not item 9 answered 1; None when the
    answer has no level, e.g. a ticked option) and the answer in words.
    (``assignments.models.Flag`` is the stored alert raised from it.)"""

    field: str
    message: str
    rule: RiskRule
    level: int | float | None
    answer: str


def field_rule(field: FieldDef) -> RiskRule | None:
    """The rule a field of a valid definition carries, if any."""
    risk = field.get("risk")
    if not risk:
        return None
    kind = next(k for k in RISK_KINDS if k in risk)
    label = risk.get("label") or field["label"]
    return RiskRule(field["id"], kind, RISK_KINDS[kind], risk[kind], label)


def risk_rules(definition: Definition) -> list[RiskRule]:
    """Every rule of a valid definition: the items' own, then any legacy
    ``scoring.critical`` conditions (whose message is their label)."""
    rules = [rule for field in iter_fields(definition) if (rule := field_rule(field))]
    for legacy in (definition.get("scoring") or {}).get("critical") or []:
        rules.append(
            RiskRule(legacy["field"], None, legacy["op"], legacy.get("value"), legacy["message"])
        )
    return rules


def risk_answers(definition: Definition, answers: Answers) -> list[CriticalAnswer]:
    """The answers that meet a rule, one per field (the first rule met), in worksheet
    order. ``answers`` are cleaned (``clean_response``, draft or not)."""
    fields = {field["id"]: field for field in iter_fields(definition)}
    found: dict[str, CriticalAnswer] = {}
    for rule in risk_rules(definition):
        field = fields[rule.field]
        answer = answers.get(rule.field)
        if rule.field in found or is_blank(answer):
            continue
        if _holds(field, rule, answer):
            found[rule.field] = _critical(field, rule, answer)
    return [found[field_id] for field_id in fields if field_id in found]


def _holds(field: FieldDef, rule: RiskRule, answer: Any) -> bool:
    if rule.kind is None:
        return condition_holds(field, rule.as_dict(), answer)
    return type_of(field).risk_holds(field, rule.kind, rule.value, answer)


def _critical(field: FieldDef, rule: RiskRule, answer: Any) -> CriticalAnswer:
    kind = type_of(field)
    level = kind.risk_level(field, answer)
    if isinstance(answer, list):
        # A list meets ``equals X`` by holding X: name that one, not everything ticked.
        chosen = [rule.value] if rule.op == "equals" else answer
        words = ", ".join(kind.value_text(field, value) for value in chosen)
    else:
        words = str(kind.display(field, answer))
    message = f"{rule.label}: answered “{words}”"
    if level is not None and not words.startswith(str(level)):
        # "Nearly every day" alone does not say where it sits on the item's scale.
        message += f" (level {level})"
    return CriticalAnswer(rule.field, message + ".", rule, level, words)
