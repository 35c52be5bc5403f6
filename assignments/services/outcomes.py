"""Alerting the therapist to a reliable deterioration on a measure, through the flag path the
risk answers use (``Flag``, ``flag_raised``, the alert and its escalation, the caseload's open
flags).

When an entry's total is a reliable deterioration against the baseline of its episode of care
(``assignments.measures``: the first score of the episode, the measure's reliable-change
threshold), a flag of kind ``DETERIORATION`` is raised, once per crossing: the entry that
first crosses raises it, later entries that stay deteriorated do not; if the score comes back
within the threshold and crosses again, that is news and raises a new one. A new episode of
care starts the count again from its own baseline.

Only entries the client shared count, as in every measure read model: the therapist was never
meant to see a private entry's total (unlike a risk answer, which the client is told will
alert the therapist whoever it is shared with).
"""

from __future__ import annotations

from assignments.measures import classify, client_episodes, plain, thresholds_for
from assignments.models import Flag, FlagKind, Response


def deterioration_flag(response: Response) -> Flag | None:
    """Raise the deterioration flag ``response`` calls for, if any; the new flag (the caller
    logs it and alerts, after commit). Called with the occurrence locked, after every send
    and edit of an entry."""
    if not response.shared_with_therapist:
        return None
    version = response.activity_version
    thresholds = thresholds_for(version.definition)
    if thresholds is None:
        return None
    if Flag.objects.filter(response=response, kind=FlagKind.DETERIORATION).exists():
        return None  # this entry has already raised it (an edit does not raise it again)
    episodes = client_episodes(response.client)
    # The episode the entry falls in, and where the next one starts.
    starts = [e.starts_at for e in episodes[1:] if e.starts_at is not None]
    after = [s for s in starts if s <= response.submitted_at]
    before = [s for s in starts if s > response.submitted_at]
    scores = Response.objects.filter(
        client_id=response.client_id,
        shared_with_therapist=True,
        activity_version__activity_id=version.activity_id,
        current_revision__score_total__isnull=False,
    )
    if after:
        scores = scores.filter(submitted_at__gte=max(after))
    if before:
        scores = scores.filter(submitted_at__lt=min(before))
    rows = list(
        scores.order_by("submitted_at", "pk").values_list("pk", "current_revision__score_total")
    )
    index = next((i for i, (pk, _) in enumerate(rows) if pk == response.pk), None)
    if not index:  # not scored, or the baseline itself
        return None
    baseline, total, previous = rows[0][1], rows[index][1], rows[index - 1][1]
    if not classify(baseline, total, thresholds).reliable_deterioration:
        return None
    if index > 1 and classify(baseline, previous, thresholds).reliable_deterioration:
        return None  # already across: raised by the entry that crossed
    episode = len(after) + 1
    flag = Flag.objects.create(
        practice_id=response.practice_id,
        client_id=response.client_id,
        assignment_id=response.assignment_id,
        occurrence_id=response.occurrence_id,
        response=response,
        kind=FlagKind.DETERIORATION,
        field_id="",
        message=(
            f"{thresholds.name} rose from {plain(baseline)} to {plain(total)}: reliable "
            f"deterioration (≥ {plain(thresholds.reliable_change)} points)"
        )[:300],
        rule={
            "category": "reliable_deterioration",
            "measure": thresholds.name,
            "baseline": baseline,
            "latest": total,
            "reliable_change": thresholds.reliable_change,
            "episode": episode,
        },
        answer_value=str(plain(total)),
    )
    return flag
