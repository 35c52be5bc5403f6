"""Change on a measure against the client's baseline: reliable and clinically significant.

Measurement-based care asks two questions of a score (Jacobson & Truax, 1991):

* **Reliable change** — did the score move by more than the measure's measurement error? The
  threshold is the reliable change index expressed in points. For PHQ-9 and GAD-7 we use the
  thresholds of the NHS Talking Therapies (IAPT) manual: 6 points on PHQ-9, 4 on GAD-7.
* **Clinically significant change** — did the client cross from the clinical range into the
  non-clinical range? The cut-offs are the caseness thresholds of the same manual: PHQ-9 ≥ 10,
  GAD-7 ≥ 8. "Reliable recovery" is both at once.

Measures are recognised by the LOINC panel code their worksheet definition carries
(``scoring.loinc.panel``), so a practice's copy of PHQ-9 is still PHQ-9. A scored activity with
no known thresholds still gets its change in points; it is never called reliable.
Lower is better on every measure here.

Pure functions, no database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Thresholds:
    name: str
    reliable_change: float
    clinical_cutoff: float  # a score at or above it is in the clinical range


THRESHOLDS: dict[str, Thresholds] = {
    "44249-1": Thresholds("PHQ-9", reliable_change=6, clinical_cutoff=10),
    "69737-5": Thresholds("GAD-7", reliable_change=4, clinical_cutoff=8),
}

IMPROVED = "improved"
DETERIORATED = "deteriorated"
NO_RELIABLE_CHANGE = "no_reliable_change"
UNKNOWN = "unknown"  # no thresholds for this measure, or fewer than two scores

LABELS = {
    IMPROVED: "Reliable improvement",
    DETERIORATED: "Reliable deterioration",
    NO_RELIABLE_CHANGE: "No reliable change",
    UNKNOWN: "",
}


def thresholds_for(definition: Mapping[str, Any] | None) -> Thresholds | None:
    """The thresholds of the measure a worksheet definition scores, if it is one we know."""
    scoring = (definition or {}).get("scoring") or {}
    panel = (scoring.get("loinc") or {}).get("panel")
    return THRESHOLDS.get(panel) if isinstance(panel, str) else None


@dataclass(frozen=True)
class Change:
    baseline: float | None
    latest: float | None
    delta: float | None  # latest − baseline; negative is better
    direction: str  # IMPROVED, DETERIORATED, NO_RELIABLE_CHANGE or UNKNOWN
    clinically_significant: bool  # crossed from the clinical to the non-clinical range
    thresholds: Thresholds | None

    @property
    def label(self) -> str:
        return LABELS[self.direction]

    @property
    def reliable_recovery(self) -> bool:
        return self.direction == IMPROVED and self.clinically_significant

    @property
    def improving(self) -> bool:
        return self.direction == IMPROVED


def classify(baseline: float | None, latest: float | None, thresholds: Thresholds | None) -> Change:
    """Compare the latest score with the baseline (the first score of the measure)."""
    if baseline is None or latest is None:
        return Change(baseline, latest, None, UNKNOWN, False, thresholds)
    delta = latest - baseline
    if thresholds is None:
        return Change(baseline, latest, delta, UNKNOWN, False, None)
    if delta <= -thresholds.reliable_change:
        direction = IMPROVED
    elif delta >= thresholds.reliable_change:
        direction = DETERIORATED
    else:
        direction = NO_RELIABLE_CHANGE
    significant = baseline >= thresholds.clinical_cutoff and latest < thresholds.clinical_cutoff
    return Change(baseline, latest, delta, direction, significant, thresholds)
