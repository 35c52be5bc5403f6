"""The curator area (/curate/): the global library's list, new items, publishing and retiring,
and which practices use an item. Curators see no client data; a non-curator gets 404."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core.access import curator_required
from core.forms import apply_validation_error
from library import selectors, services
from library.content import content_of
from library.forms import CuratedCreateForm
from library.models import PublicationStatus
from library.preview import client_preview
from library.views.lifecycle import run_lifecycle_action


@curator_required
def curate_list(request):
    q = request.GET.get("q", "")
    status = request.GET.get("status", "")
    context = {
        "curated": selectors.curated_for_curator(q=q, status=status),
        "q": q,
        "status": status,
        "statuses": PublicationStatus.choices,
    }
    return render(request, "library/curate/list.html", context)


@curator_required
def curate_create(request):
    form = CuratedCreateForm(request.POST or None, initial={"estimated_minutes": 10})
    if request.method == "POST" and form.is_valid():
        try:
            curated = services.curated_create(
                actor=request.user, slug=form.cleaned_data["slug"], **form.content()
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, "Draft created. Build the worksheet, then publish it.")
            return redirect("library:curate_edit", curated_id=curated.pk)
    status = 400 if form.errors else 200
    return render(request, "library/curate/create.html", {"form": form}, status=status)


@curator_required
def curate_detail(request, curated_id):
    curated = selectors.curated_get_for_curator(request.user, curated_id)
    version = curated.current_version
    context = {
        "curated": curated,
        "version": version,
        "versions": selectors.curated_versions(curated),
        "usage": selectors.curated_usage(curated),
        "preview": client_preview(content_of(version)),
    }
    return render(request, "library/curate/detail.html", context)


def _change(request, curated_id, action, success: str):
    curated = selectors.curated_get_for_curator(request.user, curated_id)
    return run_lifecycle_action(
        request,
        action,
        target={"curated": curated, "actor": request.user},
        success=success,
        edit_url="library:curate_edit",
        detail_url="library:curate_detail",
        list_url="library:curate_list",
        url_kwargs={"curated_id": curated.pk},
    )


@require_POST
@curator_required
def curate_publish(request, curated_id):
    return _change(
        request,
        curated_id,
        services.curated_publish,
        "Published. Practices using it as it is get this version for new assignments.",
    )


@require_POST
@curator_required
def curate_discard(request, curated_id):
    return _change(
        request, curated_id, services.curated_draft_discard, "Unpublished changes discarded."
    )


@require_POST
@curator_required
def curate_retire(request, curated_id):
    retired = request.POST.get("retired") == "1"
    return _change(
        request,
        curated_id,
        lambda **kw: services.curated_set_retired(retired=retired, **kw),
        "Retired from the global library. Practices keep their copies."
        if retired
        else "Back in the global library.",
    )
