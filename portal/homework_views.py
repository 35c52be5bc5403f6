"""The client's homework pages: to-do, filling in a worksheet (with autosave), an entry with
its check-in, an assignment with its questions, and the history of entries.

Every page reads only the signed-in client's own rows (``assignments.selectors.portal_*``):
another client's id answers 404 exactly like a missing one.
"""

import uuid
from functools import wraps

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from accounts.audit import audit_record
from accounts.crisis import crisis_resources_for
from assignments import risk, selectors
from assignments.forms import CheckInForm, QuestionForm
from assignments.models import Visibility
from assignments.selectors.media import client_media_answer
from assignments.services import completing, media_answers, reviewing
from assignments.templatetags.homework import media_url
from clients import gas
from clients.selectors import client_goals
from conversations import selectors as conversation_selectors
from core.access import client_required
from core.forms import apply_validation_error
from library.models import Kind
from portal import selectors as portal_selectors
from portal.personal import names_for
from worksheets.fields import iter_fields
from worksheets.forms import parse_form_data
from worksheets.issues import Issue
from worksheets.personalise import personalise_definition
from worksheets.render import form_name, render_worksheet
from worksheets.types.answer_file import ANSWER_FILE_TYPES


def client_view(view):
    """A portal page of the signed-in client, with times shown in the client's time zone."""

    @client_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        with timezone.override(request.client.tz):
            return view(request, *args, **kwargs)

    return wrapper


def _submission_key(request) -> uuid.UUID:
    """The key the form carried (so a retry is the same submission), or a fresh one."""
    try:
        return uuid.UUID(request.POST.get("submission_key", ""))
    except ValueError:
        return uuid.uuid4()


def _share_choice(request, assignment):
    if assignment.visibility != Visibility.CLIENT_DECIDES:
        return None
    return request.POST.get("share_with_therapist") == "yes"


def _with_files(request, definition, occurrence, client):
    """The POSTed form with each answer file stored (checked by its bytes) and replaced by
    its reference, or a file kept from before re-found among the client's own; plus the
    issues of files refused, shown next to their fields."""
    data = request.POST.copy()
    issues = []
    for field in iter_fields(definition):
        if field.get("type") not in ANSWER_FILE_TYPES:
            continue
        name = form_name(field["id"])
        data.pop(name, None)  # a reference is never taken from the client as typed
        upload = request.FILES.get(name)
        if upload is not None:
            try:
                media = media_answers.media_answer_store(
                    occurrence=occurrence,
                    client=client,
                    field_id=field["id"],
                    kind=field["type"],
                    upload=upload,
                )
            except ValidationError as exc:
                issues.append(Issue(field["id"], " ".join(exc.messages)))
                continue
        else:
            kept = data.get(f"{name}.kept")
            media = client_media_answer(client=client, media_id=kept) if _is_uuid(kept) else None
        if media is not None:
            data[name] = media.as_answer()
    return data, issues


def _is_uuid(value) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


@client_view
def todo(request):
    client = request.client
    todo = selectors.todo_for(client)
    audit_record(actor=request.user, practice=request.practice, action="portal_todo", obj=client)
    context = {
        "client": client,
        "todo": todo,
        "therapist": client.primary_therapist,
        "conversation": conversation_selectors.portal_prompts(client),
    }
    return render(request, "portal/home.html", context)


@client_view
def occurrence(request, occurrence_id):
    """The worksheet form for a new entry. A single-entry activity already sent shows the
    entry instead."""
    client = request.client
    occurrence = selectors.portal_occurrence_get(client, occurrence_id)
    assignment = occurrence.assignment
    version = assignment.activity_version
    entries = list(occurrence.responses.all())
    if entries and not version.allows_multiple_entries:
        return redirect("portal:entry", response_id=entries[0].pk)
    if request.method == "POST":
        data, file_issues = _with_files(request, version.definition, occurrence, client)
        answers = parse_form_data(version.definition, data)
        if file_issues:
            return _worksheet_page(request, occurrence, answers=answers, issues=file_issues)
        try:
            response = completing.response_submit(
                occurrence=occurrence,
                client=client,
                answers=answers,
                submission_key=_submission_key(request),
                share_with_therapist=_share_choice(request, assignment),
            )
        except completing.AnswersInvalid as exc:
            return _worksheet_page(request, occurrence, answers=answers, issues=exc.issues)
        except ValidationError as exc:
            return _worksheet_page(request, occurrence, answers=answers, problem=exc)
        return redirect(reverse("portal:entry", args=[response.pk]) + "?sent=1")
    completing.occurrence_open(occurrence=occurrence, client=client)
    audit_record(
        actor=request.user,
        practice=request.practice,
        action="portal_open",
        obj=occurrence,
        client=client,
    )
    draft = selectors.draft_for(occurrence)
    return _worksheet_page(
        request, occurrence, answers=draft.answers if draft else {}, draft=draft, status=200
    )


def _worksheet_page(
    request, occurrence, *, answers, issues=(), problem=None, draft=None, response=None, status=400
):
    assignment = occurrence.assignment
    definition = assignment.activity_version.definition
    names = names_for(request.client, assignment)
    autosave = (
        reverse("portal:entry_draft", args=[response.pk])
        if response
        else reverse("portal:draft", args=[occurrence.pk])
    )
    context = {
        "occurrence": occurrence,
        "assignment": assignment,
        "version": assignment.activity_version,
        "response": response,
        "entries": list(occurrence.responses.all()) if response is None else [],
        # The tokens are filled for display only; answers are parsed against the stored one.
        "worksheet": render_worksheet(
            personalise_definition(definition, names),
            answers=answers,
            errors=issues,
            mode="form",
            media_url=media_url,
        ),
        "names": names,
        "submission_key": request.POST.get("submission_key") or uuid.uuid4(),
        "problem": problem,
        "autosave_url": autosave,
        "storage_key": f"bw-draft-{occurrence.pk}" + (f"-{response.pk}" if response else ""),
        "draft": draft,
        "share_checked": request.POST.get("share_with_therapist", "yes") == "yes",
        "closed": assignment.is_cancelled or occurrence.status == "cancelled",
        "risk_fields": risk.risk_fields(definition),
        # A voice memo or photo is sent with the form: multipart.
        "has_files": any(f.get("type") in ANSWER_FILE_TYPES for f in iter_fields(definition)),
    }
    return render(request, "portal/worksheet.html", context, status=status)


def _draft_response(save) -> JsonResponse:
    try:
        draft = save()
    except completing.AnswersInvalid as exc:
        return JsonResponse({"issues": [i.as_dict() for i in exc.issues]}, status=400)
    except ValidationError as exc:
        return JsonResponse({"error": " ".join(exc.messages)}, status=400)
    return JsonResponse({"saved_at": draft.updated_at.isoformat()})


@require_POST
@client_view
def draft(request, occurrence_id):
    """Autosave of a new entry (fetch from the page every few seconds and on blur)."""
    occurrence = selectors.portal_occurrence_get(request.client, occurrence_id)
    definition = occurrence.assignment.activity_version.definition
    return _draft_response(
        lambda: completing.draft_save(
            occurrence=occurrence,
            client=request.client,
            answers=parse_form_data(definition, request.POST),
        )
    )


@client_view
def entry(request, response_id):
    """One entry, read-only, with the check-in after sending and the score when the practice
    shows scores; when an answer raised a flag, crisis resources instead of both."""
    client = request.client
    response = selectors.portal_response_get(client, response_id)
    occurrence = response.occurrence
    revision = response.current_revision
    definition = response.activity_version.definition
    audit_record(
        actor=request.user,
        practice=request.practice,
        action="portal_view",
        obj=response,
        client=client,
    )
    # An answer that signals risk changes what the page leads with: support, not praise or
    # a severity band.
    flagged = risk.raised_risk_flag(revision)
    context = {
        "response": response,
        "occurrence": occurrence,
        "assignment": occurrence.assignment,
        "version": response.activity_version,
        "revision": revision,
        "answers": render_worksheet(
            personalise_definition(definition, names_for(client, occurrence.assignment)),
            answers=revision.answers,
            mode="readonly",
            media_url=media_url,
        ),
        "names": names_for(client, occurrence.assignment),
        "just_sent": request.GET.get("sent") == "1",
        "flagged": flagged,
        "can_flag_risk": risk.can_flag_risk(definition),
        "show_score": not flagged
        and selectors.client_may_see_score(request.practice, definition, revision),
        "crisis": crisis_resources_for(request.practice) if flagged else None,
        "safety_plan": portal_selectors.latest_safety_plan(client) if flagged else None,
        "checkin_form": CheckInForm(),
        # A questionnaire is not practice: no "how helpful was it?" after it.
        "offer_checkin": response.activity_version.kind != Kind.MEASURE and not flagged,
        "reviews": selectors.portal_reviews(occurrence),
        "can_edit": not occurrence.assignment.is_cancelled,
        "storage_key": f"bw-draft-{occurrence.pk}",
    }
    return render(request, "portal/entry.html", context)


@client_view
def entry_edit(request, response_id):
    """Edit an entry: sending adds a revision; what was sent before stays as it was."""
    client = request.client
    response = selectors.portal_response_get(client, response_id)
    occurrence = selectors.portal_occurrence_get(client, response.occurrence_id)
    definition = response.activity_version.definition
    if request.method == "POST":
        data, file_issues = _with_files(request, definition, occurrence, client)
        answers = parse_form_data(definition, data)
        if file_issues:
            return _worksheet_page(
                request, occurrence, answers=answers, issues=file_issues, response=response
            )
        try:
            completing.response_revise(
                response=response,
                client=client,
                answers=answers,
                submission_key=_submission_key(request),
            )
        except completing.AnswersInvalid as exc:
            return _worksheet_page(
                request, occurrence, answers=answers, issues=exc.issues, response=response
            )
        except ValidationError as exc:
            return _worksheet_page(
                request, occurrence, answers=answers, problem=exc, response=response
            )
        messages.success(request, "Your changes are saved. Your earlier answers are kept too.")
        return redirect("portal:entry", response_id=response.pk)
    draft = selectors.draft_for(occurrence, response=response)
    answers = draft.answers if draft else response.current_revision.answers
    return _worksheet_page(
        request, occurrence, answers=answers, draft=draft, response=response, status=200
    )


@require_POST
@client_view
def entry_draft(request, response_id):
    response = selectors.portal_response_get(request.client, response_id)
    definition = response.activity_version.definition
    return _draft_response(
        lambda: completing.draft_save(
            occurrence=response.occurrence,
            client=request.client,
            answers=parse_form_data(definition, request.POST),
            response=response,
        )
    )


@require_POST
@client_view
def checkin(request, response_id):
    response = selectors.portal_response_get(request.client, response_id)
    form = CheckInForm(request.POST)
    if form.is_valid():
        try:
            completing.checkin_record(response=response, client=request.client, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
    if form.errors:
        messages.error(request, "Please check the numbers: 0–10, and minutes from 0 to 1440.")
        return redirect(reverse("portal:entry", args=[response.pk]) + "?sent=1#check-in")
    messages.success(request, "Thank you. Your therapist will see how it went.")
    return redirect("portal:home")


@client_view
def assignment(request, assignment_id):
    """What the therapist asked and why, the plan, past occurrences, and questions."""
    client = request.client
    assignment = selectors.portal_assignment_get(client, assignment_id)
    form = QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            reviewing.message_post(
                assignment=assignment, client=client, body=form.cleaned_data["body"]
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, "Sent. Your therapist will reply here.")
            return redirect(reverse("portal:assignment", args=[assignment.pk]) + "#questions")
    audit_record(
        actor=request.user,
        practice=request.practice,
        action="portal_view",
        obj=assignment,
        client=client,
    )
    context = {"assignment": assignment, "form": form, "names": names_for(client, assignment)}
    return render(request, "portal/assignment.html", context, status=400 if form.errors else 200)


@client_view
def history(request):
    client = request.client
    page = Paginator(selectors.portal_history(client), 20).get_page(request.GET.get("page"))
    audit_record(actor=request.user, practice=request.practice, action="portal_history", obj=client)
    return render(request, "portal/history.html", {"page": page})


@require_GET
@client_view
def goals(request):
    """The client's goals (goal attainment scaling), read-only: each level in the words agreed
    with their therapist, where they started and the ratings from each review."""
    client = request.client
    rows = [gas.goal_row(goal) for goal in client_goals(client)]
    audit_record(actor=request.user, practice=request.practice, action="portal_goals", obj=client)
    return render(request, "portal/goals.html", {"rows": rows})
