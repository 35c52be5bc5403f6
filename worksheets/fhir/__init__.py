"""FHIR R4 ``Questionnaire`` export (``fhir.export``) and import (``fhir.importer``).

Export uses only core FHIR elements and the standard extensions of the R4 core and SDC
(itemControl, minValue/maxValue, ordinalValue, …), so any FHIR tool can read it. What FHIR
cannot say (severity bands, critical rules, table row labels, …) is left out; see
docs/worksheet-format.md for the full list. Each field type maps itself (``to_fhir``,
``fhir_claims``/``from_fhir`` in ``worksheets.types``); these modules walk the structure.

Our own exports also follow linkId conventions — ``section-<id>`` for sections,
``<table>.<column>`` for columns, ``<id>.emotion``/``<id>.intensity`` for emotion lists,
``<id>.statement``/``.signature``/``.date`` for commitments — which import recognises, so a
worksheet survives a round trip with every field FHIR can express.

The public names are exported by ``worksheets`` itself: this package imports nothing, so the
field types can use ``fhir.common`` without importing the exporter, which imports them.
"""
