"""Reads of the activity library, already limited to what the caller may see.

Staff see the published global library and their practice's activities that are shared or
their own (an unshared activity is its author's alone). Curators see every global item and,
of practices, only which ones use an item. Object getters answer 404 for missing *and*
not-yours.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django_scopes import scopes_disabled

from accounts.models import Practice
from library.models import (
    Activity,
    ActivityMedia,
    ActivityVersion,
    CuratedActivity,
    CuratedActivityVersion,
    CuratedMedia,
    Kind,
    PublicationStatus,
)

_WORD = re.compile(r"\w+")
MAX_SEARCH_WORDS = 8


@dataclass
class Library:
    """One page of the library: the practice's own activities and the global ones."""

    activities: QuerySet
    curated: QuerySet


def search_words(q: str) -> list[str]:
    return _WORD.findall(q.lower())[:MAX_SEARCH_WORDS]


def _search(queryset: QuerySet, q: str, column: str) -> QuerySet:
    """Every word must match. PostgreSQL: full-text search, each word also as a prefix (so
    results appear while typing) and stemmed ("records" finds "record"). SQLite: substrings."""
    words = search_words(q)
    if not words:
        return queryset
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVector

        prefixes = SearchQuery(
            " & ".join(f"{word}:*" for word in words), config="simple", search_type="raw"
        )
        stemmed = SearchQuery(" ".join(words), config="english", search_type="plain")
        return queryset.annotate(
            search_simple=SearchVector(column, config="simple"),
            search_english=SearchVector(column, config="english"),
        ).filter(Q(search_simple=prefixes) | Q(search_english=stemmed))
    for word in words:
        queryset = queryset.filter(**{f"{column}__icontains": word})
    return queryset


def _filter_tags(queryset: QuerySet, prefix: str, *, kind="", approach="", problem=""):
    if kind in Kind.values:
        queryset = queryset.filter(**{f"{prefix}kind": kind})
    for name, value in (("approach", approach), ("problem", problem)):
        if value:
            tag = f"|{name}:{value.lower()}|"
            queryset = queryset.filter(**{f"{prefix}tag_index__contains": tag})
    return queryset


# -- a practice's library ---------------------------------------------------------------------


def activities_visible_to(membership) -> QuerySet:
    return Activity.objects.filter(practice=membership.practice).filter(
        Q(shared=True) | Q(created_by_id=membership.user_id)
    )


def practice_activities(
    membership,
    *,
    q: str = "",
    kind: str = "",
    approach: str = "",
    problem: str = "",
    include_linked: bool = False,
) -> QuerySet:
    """The practice's own activities (built here or customised copies) the member may see.
    Global items used as they are (linked copies) are left out unless ``include_linked``."""
    activities = (
        activities_visible_to(membership)
        .exclude(status=PublicationStatus.RETIRED)
        .select_related("current_version", "created_by")
    )
    if not include_linked:
        # Shown with the global library instead, unless retired from it.
        activities = activities.exclude(
            origin__isnull=False, is_customised=False, origin__status=PublicationStatus.PUBLISHED
        )
    activities = _filter_tags(
        activities, "current_version__", kind=kind, approach=approach, problem=problem
    )
    activities = _search(activities, q, "current_version__search_text")
    return activities.order_by("current_version__title", "pk")


def global_activities(
    membership, *, q: str = "", kind: str = "", approach: str = "", problem: str = ""
) -> QuerySet:
    """Published global items; ``in_practice`` says whether the practice uses one as it is."""
    curated = (
        CuratedActivity.objects.filter(status=PublicationStatus.PUBLISHED)
        .select_related("current_version")
        .annotate(
            in_practice=Exists(
                Activity.objects.filter(
                    practice=membership.practice, origin=OuterRef("pk"), is_customised=False
                ).exclude(status=PublicationStatus.RETIRED)
            )
        )
    )
    curated = _filter_tags(
        curated, "current_version__", kind=kind, approach=approach, problem=problem
    )
    curated = _search(curated, q, "current_version__search_text")
    return curated.order_by("current_version__title", "pk")


def library_for(
    membership,
    *,
    q: str = "",
    kind: str = "",
    approach: str = "",
    problem: str = "",
    source: str = "",
) -> Library:
    """What the library page lists; ``source`` narrows it to "practice" or "global"."""
    filters: dict[str, Any] = {"q": q, "kind": kind, "approach": approach, "problem": problem}
    activities = practice_activities(membership, **filters)
    curated = global_activities(membership, **filters)
    if source == "practice":
        curated = curated.none()
    elif source == "global":
        activities = activities.none()
    return Library(activities=activities, curated=curated)


def activity_get(membership, activity_id) -> Activity:
    """A practice activity the member may see; 404 otherwise (missing or not yours)."""
    try:
        return (
            activities_visible_to(membership)
            .select_related(
                "current_version", "draft_version", "origin", "origin_version", "created_by"
            )
            .get(pk=activity_id)
        )
    except (Activity.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def can_edit(membership, activity: Activity) -> bool:
    """The author and the practice's owners and admins change an activity; a global item used
    as it is is changed by nobody here (it is copied instead)."""
    if activity.is_linked_copy:
        return False
    return membership.is_manager or activity.created_by_id == membership.user_id


def activity_get_for_edit(membership, activity_id) -> Activity:
    activity = activity_get(membership, activity_id)
    if not can_edit(membership, activity):
        raise PermissionDenied("Only the author or the practice's owners and admins can edit this.")
    return activity


def activity_versions(activity: Activity) -> QuerySet:
    return (
        ActivityVersion.objects.filter(practice=activity.practice, activity=activity)
        .select_related("created_by")
        .order_by("-number")
    )


def activity_version_get(activity: Activity, number) -> ActivityVersion:
    try:
        return activity_versions(activity).get(number=number)
    except (ActivityVersion.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


# -- the global library -----------------------------------------------------------------------


def curated_get(membership, curated_id) -> CuratedActivity:
    """A published global item, for practice staff; 404 for drafts and retired items."""
    try:
        return (
            CuratedActivity.objects.filter(status=PublicationStatus.PUBLISHED)
            .select_related("current_version")
            .annotate(
                in_practice=Exists(
                    Activity.objects.filter(
                        practice=membership.practice, origin=OuterRef("pk"), is_customised=False
                    ).exclude(status=PublicationStatus.RETIRED)
                )
            )
            .get(pk=curated_id)
        )
    except (CuratedActivity.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def curated_for_curator(*, q: str = "", status: str = "") -> list:
    """Every global item with how many practices use it (as is or customised)."""
    curated = CuratedActivity.objects.select_related("current_version", "draft_version")
    if status in PublicationStatus.values:
        curated = curated.filter(status=status)
    curated = _search(curated, q, "current_version__search_text")
    curated = curated.annotate(practice_count=Count("adoptions__practice", distinct=True))
    # Curators work across practices: the count joins practices' activity rows, so the scope
    # (and the database's row-level wall under it) is lifted for this one read. Only a number
    # per item leaves it.
    with scopes_disabled():
        return list(curated.order_by("current_version__title", "pk"))


def curated_get_for_curator(user, curated_id) -> CuratedActivity:
    if not getattr(user, "is_curator", False):
        raise Http404
    try:
        return CuratedActivity.objects.select_related("current_version", "draft_version").get(
            pk=curated_id
        )
    except (CuratedActivity.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def curated_versions(curated: CuratedActivity) -> QuerySet:
    return (
        CuratedActivityVersion.objects.filter(activity=curated)
        .select_related("created_by")
        .order_by("-number")
    )


def curated_usage(curated: CuratedActivity) -> list[dict]:
    """Which practices use a global item: names and how, nothing else of theirs."""
    # Curators work across practices by design; this reads only practice ids and names.
    with scopes_disabled():
        rows = list(
            Activity.objects.filter(origin=curated)
            .values("practice_id", "is_customised")
            .distinct()
        )
        # Inside the same block: under row-level security a curator who also belongs to a
        # practice would otherwise see only that practice's row.
        names = dict(
            Practice.objects.filter(pk__in={row["practice_id"] for row in rows}).values_list(
                "pk", "name"
            )
        )
    usage: dict = {}
    for row in rows:
        entry = usage.setdefault(
            row["practice_id"],
            {"name": names[row["practice_id"]], "as_is": False, "customised": False},
        )
        entry["customised" if row["is_customised"] else "as_is"] = True
    return sorted(usage.values(), key=lambda entry: entry["name"].lower())


# -- media ------------------------------------------------------------------------------------


def media_get(*, practice, user, media_id):
    """An uploaded file to show: the practice's own (staff or its clients, inside the request's
    practice scope), or a global library file (anyone signed in)."""
    if practice is not None:
        found: ActivityMedia | CuratedMedia | None = ActivityMedia.objects.filter(
            practice=practice, pk=media_id
        ).first()
        if found is not None:
            return found
    if user is not None and user.is_authenticated:
        found = CuratedMedia.objects.filter(pk=media_id).first()
        if found is not None:
            return found
    raise Http404
