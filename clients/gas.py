"""Goal attainment scaling: the one home of the GAS T-score and the points of a goal's chart.

Kiresuk TJ, Sherman RE (1968). Goal attainment scaling: a general method for evaluating
comprehensive community mental health programs. Community Mental Health Journal 4:443-453.
Turner-Stokes L (2009). Goal attainment scaling (GAS) in rehabilitation: a practical guide.
Clinical Rehabilitation 23:362-370.

    T = 50 + 10 * sum(w_i * x_i) / sqrt((1 - rho) * sum(w_i^2) + rho * (sum(w_i))^2)

with x_i each goal's attained level (-2..+2), w_i its weight (1 here: goals are unweighted)
and rho the assumed correlation between goals' scores, 0.3 as Kiresuk & Sherman propose.
T is 50 when every goal reaches its expected outcome, with a standard deviation of 10.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date

from clients.models import signed_level

RHO = 0.3


def t_score(levels: Sequence[int], weights: Sequence[float] | None = None) -> float | None:
    """The GAS T-score of ``levels`` (one per goal), or None without any goal."""
    if not levels:
        return None
    w = list(weights) if weights is not None else [1.0] * len(levels)
    if len(w) != len(levels):
        raise ValueError("One weight per goal.")
    numerator = 10 * sum(wi * xi for wi, xi in zip(w, levels, strict=True))
    denominator = math.sqrt((1 - RHO) * sum(wi * wi for wi in w) + RHO * sum(w) ** 2)
    return round(50 + numerator / denominator, 1)


def current_level(goal) -> int:
    """The latest rating's level, or the baseline before any rating. Reads ``goal.ratings``
    through ``.all()`` so a prefetch serves it."""
    ratings = list(goal.ratings.all())
    return ratings[-1].level if ratings else goal.baseline_level


def chart_points(goal, *, width: int = 320, height: int = 150, left: int = 0) -> dict:
    """The step chart of one goal as SVG coordinates: the baseline first (at the goal's
    creation), then each rating; a level holds until the next rating (a step, not a slope:
    nothing is known between reviews)."""
    ratings = list(goal.ratings.all())
    points: list[tuple[date, int]] = [(goal.created_at.date(), goal.baseline_level)]
    points += [(r.rated_on, r.level) for r in ratings]
    first, last = points[0][0], points[-1][0]
    span = max((last - first).days, 1)
    top, bottom = 15, height - 15  # rows 30 px apart: the HTML axis labels line up

    def y(level: int) -> float:
        return top + (2 - level) * (bottom - top) / 4

    def x(day: date) -> float:
        # 30 px kept on the right so the latest level shows as a flat step, not a bare riser.
        return left + 10 + max((day - first).days, 0) * (width - left - 40) / span

    path = []
    for i, (day, level) in enumerate(points):
        if i == 0:
            path.append(f"M {x(day):.1f} {y(level):.1f}")
        else:
            path.append(f"H {x(day):.1f} V {y(level):.1f}")
    path.append(f"H {width - 10:.1f}")
    return {
        "path": " ".join(path),
        "dots": [
            {"x": round(x(d), 1), "y": round(y(lv), 1), "level": lv, "on": d} for d, lv in points
        ],
        "grid": [{"level": lv, "y": round(y(lv), 1)} for lv in (2, 1, 0, -1, -2)],
        "width": width,
        "height": height,
    }


def goal_row(goal) -> dict:
    """What a page shows of one goal: its chart, where it stands, its ratings."""
    ratings = list(goal.ratings.all())
    level = current_level(goal)
    return {
        "goal": goal,
        "chart": chart_points(goal),
        "current": level,
        "current_signed": signed_level(level),
        "current_text": goal.description(level),
        "ratings": ratings,
        "latest": ratings[-1] if ratings else None,
    }
