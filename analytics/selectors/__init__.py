"""Reads for analytics, already limited to what the caller may see (``clients.selectors``),
by sub-area:

- ``dashboard``: the therapist's caseload dashboard (its filters, sorts and figures);
- ``insights``: the owner's practice insights;
- ``exports``: the CSV exports and their rows.

The names callers use are re-exported here.
"""

from analytics.selectors.dashboard import (
    DEFAULT_DESCENDING,
    FILTERS,
    SORTS,
    ClientRow,
    MeasureFigure,
    caseload_dashboard,
    dashboard_clients,
    parse_sort,
)
from analytics.selectors.exports import EXPORT_COLUMNS, csv_safe, export_occurrences, export_rows
from analytics.selectors.insights import (
    DEFAULT_INSIGHT_MONTHS,
    INSIGHT_MONTHS,
    practice_insights,
)

__all__ = [
    "DEFAULT_DESCENDING",
    "DEFAULT_INSIGHT_MONTHS",
    "EXPORT_COLUMNS",
    "FILTERS",
    "INSIGHT_MONTHS",
    "SORTS",
    "ClientRow",
    "MeasureFigure",
    "caseload_dashboard",
    "csv_safe",
    "dashboard_clients",
    "export_occurrences",
    "export_rows",
    "parse_sort",
    "practice_insights",
]
