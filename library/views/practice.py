"""The library for practice staff: browse and search, preview, use or copy global activities,
build and publish the practice's own."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core.access import staff_required
from core.forms import apply_validation_error
from library import selectors, services
from library.content import content_of
from library.forms import ActivityDetailsForm, LibraryFilterForm
from library.preview import client_preview
from library.views.lifecycle import run_lifecycle_action


@staff_required
def index(request):
    form = LibraryFilterForm(request.GET)
    filters = form.filters()
    library = selectors.library_for(request.membership, **filters)
    context = {
        "form": form,
        "filters": filters,
        "searching": any(filters.values()),
        "activities": library.activities,
        "curated": library.curated,
    }
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "library-results":
        return render(request, "library/_results.html", context)
    return render(request, "library/index.html", context)


@staff_required
def curated_detail(request, curated_id):
    curated = selectors.curated_get(request.membership, curated_id)
    version = curated.current_version
    context = {
        "curated": curated,
        "version": version,
        "preview": client_preview(content_of(version)),
    }
    return render(request, "library/curated_detail.html", context)


@require_POST
@staff_required
def curated_adopt(request, curated_id):
    curated = selectors.curated_get(request.membership, curated_id)
    try:
        services.activity_adopt(
            practice=request.practice, actor=request.membership, curated=curated
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            f"“{curated.current_version.title}” is in your practice library, ready to assign. "
            "It follows the global library as it is updated.",
        )
    return redirect("library:curated_detail", curated_id=curated.pk)


@require_POST
@staff_required
def curated_customise(request, curated_id):
    curated = selectors.curated_get(request.membership, curated_id)
    try:
        activity = services.activity_customise(
            practice=request.practice, actor=request.membership, curated=curated
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("library:curated_detail", curated_id=curated.pk)
    messages.success(
        request,
        "Your copy is in the practice library (only you see it until you share it). "
        "Change it below, then publish the new version.",
    )
    return redirect("library:activity_edit", activity_id=activity.pk)


def _adapted(request, **source):
    try:
        activity = services.activity_adapt(
            practice=request.practice, actor=request.membership, **source
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return None
    messages.success(
        request,
        "Your adapted copy is a private draft. Change it as you need: it is no longer the "
        "validated instrument, so its scores are not counted as its outcomes.",
    )
    return redirect("library:activity_edit", activity_id=activity.pk)


@require_POST
@staff_required
def curated_adapt(request, curated_id):
    curated = selectors.curated_get(request.membership, curated_id)
    return _adapted(request, curated=curated) or redirect(
        "library:curated_detail", curated_id=curated.pk
    )


@require_POST
@staff_required
def activity_adapt(request, activity_id):
    activity = selectors.activity_get(request.membership, activity_id)
    return _adapted(request, activity=activity) or redirect(
        "library:activity_detail", activity_id=activity.pk
    )


@staff_required
def activity_create(request):
    form = ActivityDetailsForm(request.POST or None, initial={"estimated_minutes": 10})
    if request.method == "POST" and form.is_valid():
        try:
            activity = services.activity_create(
                practice=request.practice, actor=request.membership, **form.content()
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, "Draft created. Add the questions the client will answer.")
            return redirect("library:activity_edit", activity_id=activity.pk)
    status = 400 if form.errors else 200
    return render(request, "library/activity_form.html", {"form": form}, status=status)


@staff_required
def activity_detail(request, activity_id):
    activity = selectors.activity_get(request.membership, activity_id)
    version = activity.current_version
    context = {
        "activity": activity,
        "version": version,
        "versions": selectors.activity_versions(activity),
        "can_edit": selectors.can_edit(request.membership, activity),
        "preview": client_preview(content_of(version)),
    }
    return render(request, "library/activity_detail.html", context)


@staff_required
def activity_version(request, activity_id, number):
    activity = selectors.activity_get(request.membership, activity_id)
    version = selectors.activity_version_get(activity, number)
    context = {
        "activity": activity,
        "version": version,
        "preview": client_preview(content_of(version)),
    }
    return render(request, "library/activity_version.html", context)


def _change(request, activity_id, action, success: str):
    activity = selectors.activity_get_for_edit(request.membership, activity_id)
    return run_lifecycle_action(
        request,
        action,
        target={"activity": activity, "actor": request.membership},
        success=success,
        edit_url="library:activity_edit",
        detail_url="library:activity_detail",
        list_url="library:index",
        url_kwargs={"activity_id": activity.pk},
    )


@require_POST
@staff_required
def activity_publish(request, activity_id):
    return _change(
        request,
        activity_id,
        services.activity_publish,
        "Published. New assignments use this version; earlier ones keep theirs.",
    )


@require_POST
@staff_required
def activity_discard(request, activity_id):
    return _change(
        request, activity_id, services.activity_draft_discard, "Unpublished changes discarded."
    )


@require_POST
@staff_required
def activity_share(request, activity_id):
    shared = request.POST.get("shared") == "1"
    return _change(
        request,
        activity_id,
        lambda **kw: services.activity_set_shared(shared=shared, **kw),
        "Shared with everyone in your practice." if shared else "Now only you can see it.",
    )


@require_POST
@staff_required
def activity_retire(request, activity_id):
    retired = request.POST.get("retired") == "1"
    return _change(
        request,
        activity_id,
        lambda **kw: services.activity_set_retired(retired=retired, **kw),
        "Retired: it no longer appears in the library. Assignments made from it are unchanged."
        if retired
        else "Restored to the library.",
    )
