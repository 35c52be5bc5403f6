"""Therapist pages of the homework conversation, under one client's tree: start the review
for today's session, walk each assignment (one form per item, saved by fetch or by a plain
post), finish with the review items and what was agreed, and the summary."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from accounts.audit import audit_read
from clients.selectors import client_get
from conversations import selectors
from conversations.forms import FinishForm, ItemReviewForm
from conversations.quality import ITEMS
from conversations.services import reviewing
from core.access import staff_required
from core.forms import apply_validation_error


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _render(request, client, template, context, status=200):
    with timezone.override(client.tz):
        return render(request, template, context, status=status)


@require_POST
@staff_required
def start(request, client_id):
    """ "Review homework": today's session (recorded now if need be) and its review."""
    client = client_get(request.membership, client_id)
    conversation = reviewing.conversation_start(client=client, actor=request.membership)
    return redirect("conversations:review", client_id=client.pk, conversation_id=conversation.pk)


def _initial(row) -> dict:
    if row.review is not None:
        review = row.review
        return {
            "outcome": review.outcome,
            "learned": review.learned,
            "obstacles": review.obstacles,
            "reason": review.reason,
            "reason_text": review.reason_text,
            "decision": review.decision,
            **review.levels,
        }
    reason = row.client_reason
    return {
        "outcome": row.suggested_outcome,
        "reason": reason.reason if reason else "",
        "reason_text": reason.text if reason else "",
        "obstacles": "",
    }


def _review_context(request, conversation, *, bound=None) -> dict:
    since, rows = selectors.review_rows(conversation)
    items = []
    for row in rows:
        if bound is not None and bound[0] == row.assignment.pk:
            form = bound[1]
        else:
            form = ItemReviewForm(initial=_initial(row), prefix=f"i{row.assignment.pk.hex[:8]}")
        items.append({"row": row, "form": form})
    return {
        "client": conversation.client,
        "conversation": conversation,
        "since": since,
        "items": items,
        "reviewed": sum(1 for row in rows if row.review is not None),
        "felt_worse": selectors.felt_worse(conversation.client),
        "quality_items": ITEMS,
    }


@audit_read("client")
@staff_required
def review(request, client_id, conversation_id):
    conversation = selectors.conversation_get(request.membership, client_id, conversation_id)
    return _render(
        request,
        conversation.client,
        "conversations/review.html",
        _review_context(request, conversation),
    )


@require_POST
@staff_required
def item_save(request, client_id, conversation_id, assignment_id):
    """Save one item's review (the first time: record it; after that: change it). With
    ``Accept: application/json`` (the autosave) the answer is JSON; otherwise back to the
    page at the next item, or the page again with the errors next to the fields."""
    conversation = selectors.conversation_get(request.membership, client_id, conversation_id)
    assignment = selectors.conversation_assignment_get(conversation, assignment_id)
    form = ItemReviewForm(request.POST, prefix=f"i{assignment.pk.hex[:8]}")
    item = None
    if form.is_valid():
        existing = selectors.item_in(conversation, assignment)
        try:
            if existing is not None and request.POST.get("update") == "1":
                item = reviewing.item_review_update(
                    item=existing, actor=request.membership, **form.service_kwargs()
                )
            else:
                item = reviewing.item_review_record(
                    conversation=conversation,
                    assignment=assignment,
                    actor=request.membership,
                    **form.service_kwargs(),
                )
        except ValidationError as exc:
            apply_validation_error(form, exc)
    change_url = ""
    if item is not None and item.decision == "change":
        review_url = reverse(
            "conversations:review",
            kwargs={"client_id": conversation.client_id, "conversation_id": conversation.pk},
        )
        change_url = (
            reverse("assignments:edit", args=[assignment.pk])
            + "?"
            + urlencode({"next": review_url})
        )
    if _wants_json(request):
        if item is None:
            return JsonResponse(
                {"errors": {field: list(errors) for field, errors in form.errors.items()}},
                status=400,
            )
        return JsonResponse(
            {
                "id": str(item.pk),
                "outcome": item.get_outcome_display(),
                "decision": item.decision,
                "change_url": change_url,
            }
        )
    if item is None:
        context = _review_context(request, conversation, bound=(assignment.pk, form))
        return _render(
            request, conversation.client, "conversations/review.html", context, status=400
        )
    if change_url:
        return redirect(change_url)
    messages.success(request, f"Saved: {assignment.title}.")
    url = reverse(
        "conversations:review",
        kwargs={"client_id": conversation.client_id, "conversation_id": conversation.pk},
    )
    return redirect(f"{url}#after-{assignment.pk}")


@audit_read("client")
@staff_required
def finish(request, client_id, conversation_id):
    conversation = selectors.conversation_get(request.membership, client_id, conversation_id)
    initial = {
        name: getattr(conversation, name)
        for name in (
            "client_involved",
            "praise_given",
            "difficulties_discussed",
            "plan_adjusted",
            "agreed_note",
        )
    }
    form = FinishForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            reviewing.conversation_finish(
                conversation=conversation, actor=request.membership, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, "Saved. The client can read the summary in their portal.")
            return redirect(
                "conversations:summary", client_id=client_id, conversation_id=conversation.pk
            )
    return _render(
        request,
        conversation.client,
        "conversations/finish.html",
        {"client": conversation.client, "conversation": conversation, "form": form},
        status=400 if form.errors else 200,
    )


@audit_read("client")
@staff_required
def summary(request, client_id, conversation_id):
    found = selectors.summary_for_staff(request.membership, client_id, conversation_id)
    client = found.conversation.client
    summary_url = reverse(
        "conversations:summary",
        kwargs={"client_id": client.pk, "conversation_id": found.conversation.pk},
    )
    assign_url = (
        reverse("assignments:create") + "?" + urlencode({"client": client.pk, "next": summary_url})
    )
    context = {
        "client": client,
        "summary": found,
        "assign_url": assign_url,
        "prompts": selectors.plan_prompts(client),
    }
    return _render(request, client, "conversations/summary.html", context)
