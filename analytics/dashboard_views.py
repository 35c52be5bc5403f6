"""The caseload dashboard (every member of staff) and practice insights (owners and admins).

Filter, sort and page are GET parameters, so every state of the page is a plain link.
"""

from django.core.paginator import Paginator
from django.shortcuts import render

from accounts.audit import audit_record
from accounts.models import Role
from analytics import charts, selectors
from analytics.dashboard_rows import dashboard_rows
from assignments.adherence import DEFINITIONS
from assignments.measures import known_thresholds
from conversations.selectors import conversation_insights
from core.access import manager_required, staff_required

PAGE_SIZE = 50


def dashboard_params(params) -> dict:
    """Filter, sort and "only my clients" from query parameters; anything unknown falls back
    to the default instead of failing."""
    sort, descending = selectors.parse_sort(params.get("sort", ""))
    filter_ = params.get("filter", "all")
    return {
        "filter": filter_ if filter_ in selectors.FILTERS else "all",
        "sort": sort,
        "descending": descending,
        "mine_only": params.get("mine") == "1",
    }


@staff_required
def dashboard(request):
    params = dashboard_params(request.GET)
    if not request.membership.is_manager:
        params["mine_only"] = False
    board = selectors.caseload_dashboard(request.membership, **params)
    # One row for the page: it shows adherence and scores of every client listed.
    audit_record(
        actor=request.user, practice=request.practice, action="dashboard", obj=request.practice
    )
    page = Paginator(board.rows, PAGE_SIZE).get_page(request.GET.get("page"))
    current = ("-" if board.descending else "") + board.sort
    columns = []
    for key, label in selectors.SORTS.items():
        active = board.sort == key
        first_descending = selectors.DEFAULT_DESCENDING[key]
        next_descending = (not board.descending) if active else first_descending
        columns.append(
            {
                "key": key,
                "label": label,
                "active": active,
                "aria_sort": ("descending" if board.descending else "ascending") if active else "",
                "next": ("-" if next_descending else "") + key,
            }
        )
    shown = selectors.FILTERS[board.filter].lower()
    direction = "descending" if board.descending else "ascending"
    caption = (
        f"{len(board.rows)} of {board.total} clients ({shown}), "
        f"sorted by {selectors.SORTS[board.sort].lower()}, {direction}"
    )
    context = {
        "caption": caption,
        "board": board,
        "page": page,
        "rows": page.object_list,
        "table_rows": dashboard_rows(page.object_list),
        "filters": [
            {"key": key, "label": label, "count": board.counts[key]}
            for key, label in selectors.FILTERS.items()
        ],
        "sort_options": [
            (("-" if desc else "") + key, f"{label} ({direction})")
            for key, label in selectors.SORTS.items()
            for desc, direction in (
                (False, "A–Z" if key == "name" else "lowest first"),
                (True, "Z–A" if key == "name" else "highest first"),
            )
        ],
        "current_sort": current,
        "columns": {c["key"]: c for c in columns},
        "mine_only": params["mine_only"],
        "definitions": DEFINITIONS,
        "thresholds": known_thresholds(),
    }
    return render(request, "analytics/dashboard.html", context)


@manager_required
def insights(request):
    try:
        months = int(request.GET.get("months", selectors.DEFAULT_INSIGHT_MONTHS))
    except ValueError:
        months = selectors.DEFAULT_INSIGHT_MONTHS
    data = selectors.practice_insights(request.membership, months=months)
    # Figures drawn from every client's homework, like the dashboard: one row for the page.
    audit_record(
        actor=request.user, practice=request.practice, action="insights", obj=request.practice
    )
    context = {
        "insights": data,
        "month_options": selectors.INSIGHT_MONTHS,
        "is_owner": request.membership.role == Role.OWNER,
        "conversation": conversation_insights(request.membership, since=data.since),
        "trend_chart": charts.monthly_bars(
            [
                {"month": m.month, "value": m.completion, "due": m.due, "done": m.done}
                for m in data.trend
            ],
            title="Homework completion by month",
            chart_id="completion-trend",
        ),
    }
    return render(request, "analytics/insights.html", context)
