"""The global pathway library, for practices (copy a pathway to customise it)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core.access import staff_required
from pathways import selectors
from pathways.services import authoring
from pathways.views.authoring import STAFF


@staff_required
def library(request):
    return render(
        request, "pathways/library.html", {"pathways": selectors.global_pathways(), "area": STAFF}
    )


@staff_required
def library_detail(request, curated_pathway_id):
    pathway = selectors.global_pathway_get(curated_pathway_id)
    steps = selectors.template_steps(pathway)
    tz_name = request.practice.default_timezone
    context = {
        "area": STAFF,
        "pathway": pathway,
        "steps": steps,
        "preview": selectors.pathway_preview(steps, tz=ZoneInfo(tz_name)),
        "preview_tz": tz_name,
    }
    return render(request, "pathways/library_detail.html", context)


@require_POST
@staff_required
def library_copy(request, curated_pathway_id):
    source = selectors.global_pathway_get(curated_pathway_id)
    try:
        pathway = authoring.pathway_copy_from_global(
            practice=request.practice, actor=request.membership, curated_pathway=source
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("pathways:library")
    messages.success(request, "Copied to your pathways as a draft. Adjust it, then publish it.")
    return redirect("pathways:builder", pathway_id=pathway.pk)
