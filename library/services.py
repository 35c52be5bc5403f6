"""Every write to the activity library. Keyword-only, atomic; bad input raises ValidationError.

The same rules hold for the global library (curators) and a practice's library (staff):
content is checked on every save, so a stored definition is always valid; a version is
editable only while it is a draft; publishing turns the draft into the current version.
Practice activities additionally know where they came from (``origin``): a linked copy is a
global item used as it is (it follows the global item and is never edited here), a customised
copy is the practice's own from then on.
"""

from __future__ import annotations

import copy

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from library.content import (
    CONTENT_FIELDS,
    blank_definition,
    check_content,
    content_of,
    from_document,
)
from library.media import check_upload
from library.models import (
    Activity,
    ActivityMedia,
    ActivityVersion,
    CuratedActivity,
    CuratedActivityVersion,
    CuratedMedia,
    PublicationStatus,
)
from worksheets import FhirImportError, Issue, from_questionnaire
from worksheets.measures import MEASURES, load_measure


class ContentError(ValidationError):
    """Invalid content, one message per problem, grouped under the top-level key it concerns
    (``title``, ``definition``, …). ``issues`` keeps each problem's full path so an editor can
    show it next to the part of the worksheet it is about."""

    def __init__(self, issues: list[Issue]):
        self.issues = list(issues)
        grouped: dict[str, list[str]] = {}
        for issue in self.issues:
            key = _top_key(issue.path)
            text = issue.message if issue.path == key else f"{issue.path}: {issue.message}"
            grouped.setdefault(key, []).append(text)
        super().__init__(grouped)


def _top_key(path: str) -> str:
    for index, char in enumerate(path):
        if char in ".[":
            return path[:index]
    return path or "definition"


def _new_content(**given) -> dict:
    content = {
        "title": "",
        "summary": "",
        "rationale": "",
        "instructions": [],
        "estimated_minutes": 10,
        "kind": "worksheet",
        "approaches": [],
        "problems": [],
        "definition": blank_definition(),
    }
    unknown = set(given) - set(CONTENT_FIELDS)
    if unknown:
        raise ValueError(f"Not activity content: {', '.join(sorted(unknown))}.")
    content.update(given)
    return content


def _checked(content: dict, *, publishing: bool = False) -> dict:
    content = copy.deepcopy(content)
    for key in ("title", "summary", "rationale"):
        if isinstance(content.get(key), str):
            content[key] = content[key].strip()
    issues = check_content(content, publishing=publishing)
    if issues:
        raise ContentError(issues)
    return content


def _write(version, content: dict) -> None:
    for name, value in content.items():
        setattr(version, name, value)
    version.search_text = version.build_search_text()
    version.tag_index = version.build_tag_index()
    version.save()


def _next_number(owner) -> int:
    return (owner.versions.aggregate(top=Max("number"))["top"] or 0) + 1


def _locked(owner):
    """The owner row again, locked, so two saves of the same activity queue up instead of
    racing for the next version number."""
    return type(owner).objects.select_for_update().get(pk=owner.pk)


def _save_draft(owner, *, version_model, user, changes: dict, check=None, **extra):
    """``check(base, content)`` may refuse the change first (before the content checks, so
    that a change that is not allowed at all says so rather than what else is wrong)."""
    unknown = set(changes) - set(CONTENT_FIELDS)
    if unknown:
        raise ValueError(f"Not activity content: {', '.join(sorted(unknown))}.")
    owner = _locked(owner)
    draft = owner.draft_version
    base = draft or owner.current_version
    merged = content_of(base) | changes
    if check is not None:
        check(base, merged)
    content = _checked(merged)
    if draft is None:
        draft = version_model(activity=owner, number=_next_number(owner), created_by=user, **extra)
    _write(draft, content)
    owner.draft_version = draft
    owner.save(update_fields=["draft_version", "updated_at"])
    return draft


def _publish(owner):
    owner = _locked(owner)
    draft = owner.draft_version
    if draft is None:
        raise ValidationError("There are no unpublished changes to publish.")
    _checked(content_of(draft), publishing=True)
    draft.published_at = timezone.now()
    draft.save(update_fields=["published_at"])
    owner.current_version = draft
    owner.draft_version = None
    owner.status = PublicationStatus.PUBLISHED
    owner.save(update_fields=["current_version", "draft_version", "status", "updated_at"])
    return owner


def _discard_draft(owner) -> bool:
    """Drop the unpublished draft. An item that was never published *is* its draft, so it is
    deleted; returns whether the item still exists."""
    owner = _locked(owner)
    draft = owner.draft_version
    if draft is None:
        return True
    if owner.current_version_id == draft.pk:
        owner.current_version = None
        owner.draft_version = None
        owner.save(update_fields=["current_version", "draft_version"])
        owner.delete()
        return False
    owner.draft_version = None
    owner.save(update_fields=["draft_version", "updated_at"])
    draft.delete()
    return True


def _set_status(owner, status: str):
    owner = _locked(owner)
    if status == PublicationStatus.RETIRED:
        owner.status = PublicationStatus.RETIRED
    elif owner.current_version and owner.current_version.is_published:
        owner.status = PublicationStatus.PUBLISHED
    else:
        owner.status = PublicationStatus.DRAFT
    owner.save(update_fields=["status", "updated_at"])
    return owner


# -- the global library (curators) ------------------------------------------------------------


def _free_slug(wanted: str) -> str:
    base = slugify(wanted)[:70] or "activity"
    slug, counter = base, 2
    while CuratedActivity.objects.filter(slug=slug).exists():
        slug, counter = f"{base}-{counter}", counter + 1
    return slug


@transaction.atomic
def curated_create(*, actor, slug: str = "", **content) -> CuratedActivity:
    """A new global activity, as an unpublished draft (version 1)."""
    content = _checked(_new_content(**content))
    if slug:
        if slugify(slug) != slug:
            raise ValidationError({"slug": "Use lowercase words joined by hyphens."})
        if CuratedActivity.objects.filter(slug=slug).exists():
            raise ValidationError({"slug": "Another global activity has this slug."})
    curated = CuratedActivity.objects.create(slug=slug or _free_slug(content["title"]))
    version = CuratedActivityVersion(activity=curated, number=1, created_by=actor)
    _write(version, content)
    curated.current_version = curated.draft_version = version
    curated.save(update_fields=["current_version", "draft_version"])
    return curated


@transaction.atomic
def curated_draft_save(*, curated: CuratedActivity, actor, **changes) -> CuratedActivityVersion:
    """Change the draft (starting one from the current version when there is none)."""
    return _save_draft(curated, version_model=CuratedActivityVersion, user=actor, changes=changes)


@transaction.atomic
def curated_publish(*, curated: CuratedActivity, actor) -> CuratedActivity:
    return _publish(curated)


@transaction.atomic
def curated_draft_discard(*, curated: CuratedActivity, actor) -> bool:
    """Returns False when the activity was never published and so is gone."""
    return _discard_draft(curated)


@transaction.atomic
def curated_set_retired(*, curated: CuratedActivity, actor, retired: bool) -> CuratedActivity:
    """A retired item leaves the library; practices that adopted it keep their copies."""
    return _set_status(
        curated, PublicationStatus.RETIRED if retired else PublicationStatus.PUBLISHED
    )


# -- a practice's library ---------------------------------------------------------------------


def _editable(activity: Activity) -> None:
    if activity.is_linked_copy:
        raise ValidationError(
            "This is a global activity used as it is, so it follows the global library. "
            "Copy it to your library to change it."
        )


# A validated instrument (the definition's ``instrument`` block says ``"validated": true``) is
# only valid as published: in a practice's copy its questions, options, scoring and risk alerts
# stay exactly as they are, so its scores stay comparable with the norms, its LOINC codes and
# change thresholds stay true, and its risk alert cannot be dropped. What may change is what
# frames it for the client: title, summary, rationale, instructions, time and tags. A variant
# is an adapted copy (``activity_adapt``): unlocked, and without the instrument's name, LOINC
# codes and so change thresholds.


def _validated_loinc_codes() -> dict[str, str]:
    """LOINC code → instrument name, for the standard measures marked validated."""
    codes = {}
    for name in MEASURES:
        definition = load_measure(name)
        instrument = definition.get("instrument") or {}
        if instrument.get("validated") is True:
            for code in (definition.get("scoring") or {}).get("loinc", {}).values():
                codes[code] = instrument["name"]
    return codes


def _refuse_claimed_instrument(definition) -> None:
    """Practice content that is not a copy of a validated instrument may not claim to be one.
    Shapes that are wrong in other ways are left to the content checks."""
    if not isinstance(definition, dict):
        return
    instrument = definition.get("instrument")
    if isinstance(instrument, dict) and instrument.get("validated") is True:
        raise ValidationError(
            {
                "definition": "Only an instrument added from the global library can be marked "
                "validated. Remove “validated” from “instrument”."
            }
        )
    scoring = definition.get("scoring")
    loinc = scoring.get("loinc") if isinstance(scoring, dict) else None
    codes = loinc.values() if isinstance(loinc, dict) else ()
    claimed = _validated_loinc_codes()
    taken = sorted({claimed[code] for code in codes if isinstance(code, str) and code in claimed})
    if taken:
        raise ValidationError(
            {
                "definition": f"These LOINC codes belong to the {', '.join(taken)}: only the "
                "unchanged instrument may carry them, so that adapted questionnaires are never "
                "counted as its outcomes. Remove “loinc” from “scoring”."
            }
        )


def _check_instrument_edit(base, content: dict) -> None:
    if not base.is_locked_instrument:
        _refuse_claimed_instrument(content["definition"])
        return
    name = base.instrument["name"]
    if content["definition"] != base.definition:
        raise ValidationError(
            {
                "definition": f"The {name} is a validated instrument: its questions, answer "
                "options, scoring and risk alerts cannot be changed. You can change its title, "
                "summary, rationale and instructions; to change the questions, make an adapted "
                "copy."
            }
        )
    if content["kind"] != base.kind:
        raise ValidationError({"kind": f"The {name} stays a measure."})


def _new_activity(*, practice, actor, content: dict, published: bool, **fields) -> Activity:
    activity = Activity.objects.create(
        practice=practice,
        created_by=actor.user,
        status=PublicationStatus.PUBLISHED if published else PublicationStatus.DRAFT,
        **fields,
    )
    version = ActivityVersion(
        practice=practice,
        activity=activity,
        number=1,
        created_by=actor.user,
        published_at=timezone.now() if published else None,
    )
    _write(version, content)
    activity.current_version = version
    activity.draft_version = None if published else version
    activity.save(update_fields=["current_version", "draft_version"])
    return activity


@transaction.atomic
def activity_create(*, practice, actor, **content) -> Activity:
    """A new activity built in the practice: a private draft until published and shared."""
    content = _checked(_new_content(**content))
    _refuse_claimed_instrument(content["definition"])
    return _new_activity(
        practice=practice, actor=actor, content=content, published=False, shared=False
    )


def _published_curated(curated: CuratedActivity) -> CuratedActivityVersion:
    version = curated.current_version
    if curated.status != PublicationStatus.PUBLISHED or version is None or not version.is_published:
        raise ValidationError("This global activity is not available.")
    return version


def _sync_linked_copy(activity: Activity) -> Activity:
    """A linked copy follows the global item: its newest published version becomes a new
    practice version (assignments made earlier keep theirs). A copy of an item retired from
    the global library keeps the version it has."""
    activity = _locked(activity)
    origin = activity.origin
    assert origin is not None  # only a linked copy is synced
    if origin.status != PublicationStatus.PUBLISHED and activity.current_version_id:
        return activity
    source = _published_curated(origin)
    if activity.origin_version_id == source.pk and activity.status == PublicationStatus.PUBLISHED:
        return activity
    if activity.origin_version_id != source.pk:
        version = ActivityVersion(
            practice=activity.practice,
            activity=activity,
            number=_next_number(activity),
            published_at=timezone.now(),
        )
        _write(version, copy.deepcopy(content_of(source)))
        activity.current_version = version
        activity.origin_version = source
    activity.status = PublicationStatus.PUBLISHED
    activity.save(update_fields=["current_version", "origin_version", "status", "updated_at"])
    return activity


@transaction.atomic
def activity_adopt(*, practice, actor, curated: CuratedActivity) -> Activity:
    """Use a global activity as it is: the practice's linked copy of it (made once)."""
    _published_curated(curated)
    # get_or_create retries the read when a concurrent request created the row first (the
    # partial unique constraint allows one linked copy per practice and global item).
    activity, _ = Activity.objects.get_or_create(
        practice=practice,
        origin=curated,
        is_customised=False,
        defaults={"created_by": actor.user, "shared": True, "status": PublicationStatus.DRAFT},
    )
    return _sync_linked_copy(activity)


@transaction.atomic
def activity_customise(*, practice, actor, curated: CuratedActivity) -> Activity:
    """Copy a global activity into the practice library to change it: a private copy whose
    version 1 is exactly the global item's current version."""
    source = _published_curated(curated)
    return _new_activity(
        practice=practice,
        actor=actor,
        content=copy.deepcopy(content_of(source)),
        published=True,
        shared=False,
        origin=curated,
        origin_version=source,
        is_customised=True,
    )


@transaction.atomic
def activity_adapt(
    *, practice, actor, curated: CuratedActivity | None = None, activity: Activity | None = None
) -> Activity:
    """An unlocked copy of a validated instrument (global, or the practice's copy of it) to
    change freely: a private draft called "Adapted from <name>" that credits its source and no
    longer carries the instrument's name, LOINC codes or change thresholds, so its scores are
    never charted or counted as the instrument's. Its risk alerts are kept as they were."""
    if (curated is None) == (activity is None):
        raise ValueError("Pass exactly one of curated and activity.")
    source: ActivityVersion | CuratedActivityVersion | None
    origin: CuratedActivity | None
    origin_version: CuratedActivityVersion | None
    if curated is not None:
        source = _published_curated(curated)
        origin, origin_version = curated, source
    else:
        assert activity is not None  # exactly one of the two, checked above
        if activity.practice_id != practice.pk:
            raise ValidationError({"activity": "This activity is not in your practice's library."})
        source = activity.current_version
        origin, origin_version = activity.origin, activity.origin_version
    if source is None or not source.is_locked_instrument:
        raise ValidationError(
            "Only a validated instrument needs an adapted copy: copy this activity to change it."
        )
    instrument = source.instrument
    content = copy.deepcopy(content_of(source))
    definition = content["definition"]
    (definition.get("scoring") or {}).pop("loinc", None)
    definition["instrument"] = {
        "validated": False,
        "adapted_from": instrument["name"],
        "attribution": instrument["attribution"],
    }
    content["title"] = f"Adapted from {instrument['name']}"
    return _new_activity(
        practice=practice,
        actor=actor,
        content=_checked(content),
        published=False,
        shared=False,
        origin=origin,
        origin_version=origin_version,
        is_customised=True,
    )


@transaction.atomic
def activity_draft_save(*, activity: Activity, actor, **changes) -> ActivityVersion:
    """Change the draft (starting one from the current version when there is none)."""
    _editable(activity)
    return _save_draft(
        activity,
        version_model=ActivityVersion,
        user=actor.user,
        changes=changes,
        check=_check_instrument_edit,
        practice=activity.practice,
    )


@transaction.atomic
def activity_publish(*, activity: Activity, actor) -> Activity:
    _editable(activity)
    return _publish(activity)


@transaction.atomic
def activity_draft_discard(*, activity: Activity, actor) -> bool:
    """Returns False when the activity was never published and so is gone."""
    _editable(activity)
    return _discard_draft(activity)


@transaction.atomic
def activity_set_shared(*, activity: Activity, actor, shared: bool) -> Activity:
    activity = _locked(activity)
    activity.shared = shared
    activity.save(update_fields=["shared", "updated_at"])
    return activity


@transaction.atomic
def activity_set_retired(*, activity: Activity, actor, retired: bool) -> Activity:
    """A retired activity leaves the library; what was assigned from it stays as it is."""
    return _set_status(
        activity, PublicationStatus.RETIRED if retired else PublicationStatus.PUBLISHED
    )


@transaction.atomic
def activity_version_for_assignment(
    *, practice, actor, curated_activity: CuratedActivity | None = None, activity=None
) -> ActivityVersion:
    """The practice version a new assignment pins: the current published version of
    ``activity``, or of the practice's linked copy of ``curated_activity`` (adopting it the
    first time). Linked copies are brought up to date with the global item first."""
    if (curated_activity is None) == (activity is None):
        raise ValueError("Pass exactly one of curated_activity and activity.")
    if curated_activity is not None:
        activity = activity_adopt(practice=practice, actor=actor, curated=curated_activity)
    elif activity.practice_id != practice.pk:
        raise ValidationError({"activity": "This activity is not in your practice's library."})
    elif activity.is_linked_copy:
        activity = _sync_linked_copy(activity)
    if activity.status == PublicationStatus.RETIRED:
        raise ValidationError({"activity": "This activity is retired; restore it to assign it."})
    version = activity.current_version
    if version is None or not version.is_published:
        raise ValidationError({"activity": "Publish this activity before assigning it."})
    return version


# -- import -----------------------------------------------------------------------------------


@transaction.atomic
def activity_import_document(*, practice, actor, document) -> Activity:
    """An activity in the library's own JSON format, as a private draft."""
    content, _slug, issues = from_document(document)
    if issues:
        raise ContentError(issues)
    content = _checked(content)
    _refuse_claimed_instrument(content["definition"])
    return _new_activity(
        practice=practice, actor=actor, content=content, published=False, shared=False
    )


@transaction.atomic
def activity_import_fhir(*, practice, actor, resource) -> tuple[Activity, list[str]]:
    """A FHIR R4 Questionnaire as a private draft, and what could not be imported.

    Either the whole activity is created or nothing is: what FHIR cannot say (scoring bands,
    unsupported item types, …) is left out and listed, never half-imported.
    """
    try:
        result = from_questionnaire(resource)
    except FhirImportError as exc:
        raise ValidationError({"document": str(exc)}) from None
    rationale = resource.get("description") or resource.get("purpose") or ""
    content = _new_content(
        title=result.title[:200],
        rationale=str(rationale)[:5000],
        definition=result.definition,
    )
    activity = _new_activity(
        practice=practice, actor=actor, content=_checked(content), published=False, shared=False
    )
    return activity, list(result.skipped)


def activity_import(*, practice, actor, document) -> tuple[Activity, list[str]]:
    """Either format, told apart by FHIR's ``resourceType``: a FHIR R4 Questionnaire or the
    library's own document. Returns the draft and what could not be imported."""
    if is_fhir_resource(document):
        return activity_import_fhir(practice=practice, actor=actor, resource=document)
    return activity_import_document(practice=practice, actor=actor, document=document), []


def is_fhir_resource(document) -> bool:
    return isinstance(document, dict) and "resourceType" in document


# -- media ------------------------------------------------------------------------------------


def _checked_file(uploaded, kind: str | None):
    head = uploaded.read(64)
    uploaded.seek(0)
    try:
        return check_upload(uploaded.name, uploaded.size, head, kind=kind)
    except ValueError as exc:
        raise ValidationError({"file": str(exc)}) from None


@transaction.atomic
def media_upload(*, practice, actor, uploaded, kind: str | None = None) -> ActivityMedia:
    """Store an audio, video or image file for the practice's activities."""
    found = _checked_file(uploaded, kind)
    return ActivityMedia.objects.create(
        practice=practice,
        file=uploaded,
        kind=found.kind,
        content_type=found.content_type,
        original_name=uploaded.name[:255],
        size=uploaded.size,
        uploaded_by=actor.user,
    )


@transaction.atomic
def curated_media_upload(*, actor, uploaded, kind: str | None = None) -> CuratedMedia:
    """Store an audio, video or image file for the global library."""
    found = _checked_file(uploaded, kind)
    return CuratedMedia.objects.create(
        file=uploaded,
        kind=found.kind,
        content_type=found.content_type,
        original_name=uploaded.name[:255],
        size=uploaded.size,
        uploaded_by=actor,
    )
