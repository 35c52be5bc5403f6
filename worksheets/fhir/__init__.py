"""FHIR R4 ``Questionnaire`` export and import.

Export uses only core FHIR elements and the standard extensions of the R4 core and SDC
(itemControl, minValue/maxValue, ordinalValue, …), so any FHIR tool can read it. What FHIR
cannot say (severity bands, critical rules, table row labels, …) is left out; see
docs/worksheet-format.md for the full list.

Our own exports also follow linkId conventions — ``section-<id>`` for sections,
``<table>.<column>`` for columns, ``<id>.emotion``/``<id>.intensity`` for emotion lists,
``<id>.statement``/``.signature``/``.date`` for commitments — which import recognises, so a
worksheet survives a round trip with every field FHIR can express.
"""

from .export import to_questionnaire
from .importer import FhirImportError, ImportResult, from_questionnaire

__all__ = ["FhirImportError", "ImportResult", "from_questionnaire", "to_questionnaire"]
