"""The form builder, shared by practice activities (staff) and global ones (curators).

Every edit is a POST that changes the draft through a service and answers with the builder
again (htmx swaps it in place, the preview follows out of band) or, without JavaScript, a
redirect back to the page. Bad input answers 400 with the builder showing every problem next
to the part it is about.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core.access import curator_required, staff_required
from core.forms import apply_validation_error
from library import selectors, services
from library.content import check_content, content_of
from library.forms import (
    INPUT_KEYS,
    TYPE_INPUTS,
    ActivityDetailsForm,
    AddFieldForm,
    DefinitionJsonForm,
    FieldEditForm,
    SectionForm,
    TargetForm,
)
from library.preview import client_preview
from library.services import ContentError
from worksheets import editing, iter_fields


@dataclass
class Target:
    """What the builder edits, and how to save and upload for it."""

    owner: object
    save_draft: Callable
    upload: Callable
    url_prefix: str
    url_kwargs: dict
    base_template: str
    detail_url: str
    locks_instruments: bool = False
    adapt_url: str = ""

    @property
    def version(self):
        return self.owner.draft_version or self.owner.current_version

    def save(self, **changes):
        draft = self.save_draft(**changes)
        self.owner.draft_version = draft
        return draft

    def url(self, name: str) -> str:
        return reverse(f"library:{self.url_prefix}{name}", kwargs=self.url_kwargs)


def practice_target(request, activity_id) -> Target:
    activity = selectors.activity_get_for_edit(request.membership, activity_id)
    actor = request.membership
    kwargs = {"activity_id": activity.pk}
    return Target(
        owner=activity,
        save_draft=partial(services.activity_draft_save, activity=activity, actor=actor),
        upload=partial(services.media_upload, practice=request.practice, actor=actor),
        url_prefix="activity_",
        url_kwargs=kwargs,
        base_template="staff_base.html",
        detail_url=reverse("library:activity_detail", kwargs=kwargs),
        locks_instruments=True,
        adapt_url=reverse("library:activity_adapt", kwargs=kwargs),
    )


def curated_target(request, curated_id) -> Target:
    curated = selectors.curated_get_for_curator(request.user, curated_id)
    kwargs = {"curated_id": curated.pk}
    return Target(
        owner=curated,
        save_draft=partial(services.curated_draft_save, curated=curated, actor=request.user),
        upload=partial(services.curated_media_upload, actor=request.user),
        url_prefix="curate_",
        url_kwargs=kwargs,
        base_template="library/curate/base.html",
        detail_url=reverse("library:curate_detail", kwargs=kwargs),
    )


@dataclass
class BuilderState:
    """Forms with input or errors to show again, and which editor is open."""

    details: ActivityDetailsForm | None = None
    json: DefinitionJsonForm | None = None
    field_forms: dict = field(default_factory=dict)
    section_forms: dict = field(default_factory=dict)
    open_field: str = ""
    errors: list = field(default_factory=list)


def _sections(target: Target, state: BuilderState) -> list[dict]:
    definition = target.version.definition
    earlier: list[dict] = []
    sections = []
    for section in definition["sections"]:
        rows = []
        for item in section["fields"]:
            form = state.field_forms.get(item["id"]) or FieldEditForm(
                field=item, earlier=list(earlier), auto_id=f"ed-{item['id']}-%s"
            )
            if item["id"] == state.open_field:
                # A question just added or saved with errors: put the keyboard there.
                form.fields["label"].widget.attrs["autofocus"] = True
            rows.append(
                {"field": item, "form": form, "type_label": editing.TYPE_LABELS[item["type"]]}
            )
            earlier.append(item)
        section_form = state.section_forms.get(section["id"]) or SectionForm(
            auto_id=f"sec-{section['id']}-%s",
            initial={
                "section": section["id"],
                "title": section["title"],
                "description": section.get("description", ""),
            },
        )
        sections.append(
            {
                "section": section,
                "fields": rows,
                "form": section_form,
                "add_form": AddFieldForm(
                    auto_id=f"add-{section['id']}-%s", initial={"section": section["id"]}
                ),
            }
        )
    return sections


def _context(target: Target, state: BuilderState) -> dict:
    version = target.version
    return {
        "target": target,
        "owner": target.owner,
        "version": version,
        "base_template": target.base_template,
        "builder_sections": _sections(target, state),
        "details_form": state.details
        or ActivityDetailsForm(initial=ActivityDetailsForm.initial_from(version)),
        "json_form": state.json
        or DefinitionJsonForm(initial={"definition": _pretty(version.definition)}),
        "open_field": state.open_field,
        "errors": state.errors,
        # A practice's copy of a validated instrument: only its details may change here.
        "locked": target.locks_instruments and version.is_locked_instrument,
        "adapt_url": target.adapt_url,
        "preview": client_preview(content_of(version)),
        "urls": {
            name: target.url(name)
            for name in (
                "edit",
                "details",
                "json",
                "preview",
                "field_add",
                "field_save",
                "field_move",
                "field_remove",
                "section_add",
                "section_save",
                "section_move",
                "section_remove",
                "publish",
                "discard",
            )
        },
    }


def _pretty(definition) -> str:
    return json.dumps(definition, indent=2, ensure_ascii=False)


def _respond(request, target: Target, state: BuilderState | None = None, *, status=200, anchor=""):
    """The builder after an edit: the builder partial for htmx, else back to the page."""
    state = state or BuilderState()
    if request.headers.get("HX-Request"):
        return render(request, "library/_builder.html", _context(target, state), status=status)
    if status == 200:
        return redirect(target.url("edit") + (f"#{anchor}" if anchor else ""))
    return render(request, "library/builder.html", _context(target, state), status=status)


def _issue_lines(exc: ValidationError) -> list[str]:
    if isinstance(exc, ContentError):
        return [
            f"{issue.path}: {issue.message}" if issue.path else issue.message
            for issue in exc.issues
        ]
    return list(exc.messages)


def _save_definition(request, target: Target, definition: dict, *, open_field=""):
    try:
        target.save(definition=definition)
    except ValidationError as exc:
        state = BuilderState(open_field=open_field, errors=_issue_lines(exc))
        return _respond(request, target, state, status=400)
    return _respond(request, target, BuilderState(open_field=open_field), anchor=open_field)


# -- the page and its parts -------------------------------------------------------------------


def builder_page(request, target: Target):
    return render(request, "library/builder.html", _context(target, BuilderState()))


def details_save(request, target: Target):
    form = ActivityDetailsForm(request.POST)
    if form.is_valid():
        try:
            target.save(**form.content())
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, "Details saved in the draft.")
            return _respond(request, target)
    return _respond(request, target, BuilderState(details=form), status=400)


def json_save(request, target: Target):
    form = DefinitionJsonForm(request.POST)
    if form.is_valid():
        try:
            target.save(definition=form.cleaned_data["definition"])
        except ValidationError as exc:
            form.add_error("definition", _issue_lines(exc))
        else:
            return _respond(request, target)
    return _respond(request, target, BuilderState(json=form), status=400)


def json_preview(request, target: Target):
    """The preview of JSON being typed, without saving it; problems are listed instead."""
    form = DefinitionJsonForm(request.POST)
    problems = []
    if form.is_valid():
        content = content_of(target.version) | {"definition": form.cleaned_data["definition"]}
        problems = [f"{i.path}: {i.message}" for i in check_content(content)]
        if not problems:
            return render(request, "library/_preview.html", {"preview": client_preview(content)})
    else:
        problems = form.errors["definition"]
    return render(request, "library/_preview.html", {"problems": problems})


def field_add(request, target: Target):
    form = AddFieldForm(request.POST)
    if not form.is_valid():
        return _respond(
            request, target, BuilderState(errors=["Choose a type of question."]), status=400
        )
    try:
        definition, field_id = editing.add_field(
            target.version.definition, form.cleaned_data["section"], form.cleaned_data["type"]
        )
    except editing.BuilderError as exc:
        return _respond(request, target, BuilderState(errors=[str(exc)]), status=400)
    return _save_definition(request, target, definition, open_field=field_id)


def field_save(request, target: Target):
    definition = target.version.definition
    field_id = request.POST.get("field", "")
    fields = list(iter_fields(definition))
    index = next((i for i, f in enumerate(fields) if f["id"] == field_id), None)
    if index is None:
        state = BuilderState(errors=["That field is no longer in this worksheet."])
        return _respond(request, target, state, status=400)
    form = FieldEditForm(
        request.POST,
        request.FILES,
        field=fields[index],
        earlier=fields[:index],
        auto_id=f"ed-{field_id}-%s",
    )
    state = BuilderState(field_forms={field_id: form}, open_field=field_id)
    if not form.is_valid():
        return _respond(request, target, state, status=400)
    upload = None
    try:
        if form.cleaned_data.get("media_file"):
            kind = form.cleaned_data.get("media_kind") or None
            upload = str(target.upload(uploaded=form.cleaned_data["media_file"], kind=kind).pk)
        new_definition = editing.replace_field(definition, field_id, form.to_field(upload=upload))
        target.save(definition=new_definition)
    except ValidationError as exc:
        state.errors = _place_field_errors(form, exc, definition, field_id)
        return _respond(request, target, state, status=400)
    return _respond(request, target, BuilderState(open_field=field_id), anchor=field_id)


def _place_field_errors(
    form: FieldEditForm, exc: ValidationError, definition, field_id
) -> list[str]:
    """Put each problem with the edited field next to its input; return the others (about
    other parts of the worksheet, e.g. a condition elsewhere that used this field)."""
    if not isinstance(exc, ContentError):
        if hasattr(exc, "error_dict") and "file" in exc.error_dict:
            form.add_error("media_file", exc.error_dict["file"])
            return []
        return list(exc.messages)
    s_index, f_index = editing.field_position(definition, field_id)
    prefix = f"definition.sections[{s_index}].fields[{f_index}]"
    inputs = {INPUT_KEYS.get(name, name): name for name in TYPE_INPUTS[form.field["type"]]}
    inputs |= {"label": "label", "help": "help", "required": "required"}
    inputs |= {"show_if": "condition_field"}
    others = []
    for issue in exc.issues:
        if issue.path != prefix and not issue.path.startswith((prefix + ".", prefix + "[")):
            others.append(f"{issue.path}: {issue.message}")
            continue
        rest = issue.path[len(prefix) :].lstrip(".")
        key = rest.split(".")[0].split("[")[0]
        name = inputs.get(key)
        if key == "show_if" and rest.endswith((".op", ".value")):
            name = "condition_" + rest.rsplit(".", 1)[1]
        detail = rest[len(key) :].lstrip(".")
        if key == "risk":
            name, detail = _risk_input(rest), ""
        message = f"{detail}: {issue.message}" if detail and name else issue.message
        form.add_error(name if name in form.fields else None, message)
    return others


def _risk_input(rest: str) -> str:
    """The input a problem with the field's ``risk`` belongs next to: the label's, the
    value's (``risk.at_least``/``risk.equals``), or the kind's (the rule as a whole)."""
    part = rest.split(".", 2)[1] if rest.count(".") else ""
    if part == "label":
        return "risk_label"
    return "risk_value" if part in ("at_least", "equals") else "risk_kind"


def _targeted_edit(request, target: Target, edit):
    """Run ``edit(definition, cleaned)`` for an operation on one field or section (move,
    remove): a bad form or a refused edit re-renders the builder with the reason."""
    form = TargetForm(request.POST)
    if not form.is_valid():
        return _respond(request, target, status=400)
    try:
        definition = edit(target.version.definition, form.cleaned_data)
    except editing.BuilderError as exc:
        return _respond(request, target, BuilderState(errors=[str(exc)]), status=400)
    return _save_definition(request, target, definition)


def field_move(request, target: Target):
    return _targeted_edit(
        request, target, lambda d, c: editing.move_field(d, c["target"], c["direction"])
    )


def field_remove(request, target: Target):
    return _targeted_edit(request, target, lambda d, c: editing.remove_field(d, c["target"]))


def section_add(request, target: Target):
    definition, _section_id = editing.add_section(target.version.definition)
    return _save_definition(request, target, definition)


def section_save(request, target: Target):
    section_id = request.POST.get("section", "")
    form = SectionForm(request.POST, auto_id=f"sec-{section_id}-%s")
    state = BuilderState(section_forms={section_id: form})
    if not form.is_valid():
        return _respond(request, target, state, status=400)
    try:
        definition = editing.update_section(
            target.version.definition,
            form.cleaned_data["section"],
            title=form.cleaned_data["title"],
            description=form.cleaned_data["description"],
        )
        target.save(definition=definition)
    except editing.BuilderError as exc:
        state.errors = [str(exc)]
        return _respond(request, target, state, status=400)
    except ValidationError as exc:
        state.errors = _issue_lines(exc)
        return _respond(request, target, state, status=400)
    return _respond(request, target)


def section_move(request, target: Target):
    return _targeted_edit(
        request, target, lambda d, c: editing.move_section(d, c["target"], c["direction"])
    )


def section_remove(request, target: Target):
    return _targeted_edit(request, target, lambda d, c: editing.remove_section(d, c["target"]))


OPERATIONS = {
    "details": details_save,
    "json": json_save,
    "preview": json_preview,
    "field_add": field_add,
    "field_save": field_save,
    "field_move": field_move,
    "field_remove": field_remove,
    "section_add": section_add,
    "section_save": section_save,
    "section_move": section_move,
    "section_remove": section_remove,
}


@staff_required
def activity_builder(request, activity_id):
    return builder_page(request, practice_target(request, activity_id))


@require_POST
@staff_required
def activity_builder_edit(request, activity_id, op):
    return OPERATIONS[op](request, practice_target(request, activity_id))


@curator_required
def curated_builder(request, curated_id):
    return builder_page(request, curated_target(request, curated_id))


@require_POST
@curator_required
def curated_builder_edit(request, curated_id, op):
    return OPERATIONS[op](request, curated_target(request, curated_id))
