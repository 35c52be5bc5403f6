"""Activities as documents: the library's own JSON format and FHIR R4 Questionnaire."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.text import slugify

from library.content import content_of, to_document
from library.models import PublicationStatus
from worksheets import to_questionnaire

_FHIR_STATUS = {
    PublicationStatus.DRAFT: "draft",
    PublicationStatus.PUBLISHED: "active",
    PublicationStatus.RETIRED: "retired",
}


def filename(version) -> str:
    return slugify(version.title)[:80] or "activity"


def activity_document(activity) -> dict:
    return to_document(content_of(activity.current_version))


def curated_document(curated) -> dict:
    return to_document(content_of(curated.current_version), slug=curated.slug)


def _questionnaire(version, *, status: str, url: str, identifier) -> dict:
    resource = to_questionnaire(
        version.definition,
        title=version.title,
        url=url,
        version=str(version.number),
        status=status,
    )
    resource["id"] = str(identifier)
    if version.rationale:
        resource["description"] = version.rationale
    return resource


def activity_questionnaire(activity) -> dict:
    path = reverse("library-activity-fhir", kwargs={"pk": activity.pk})
    return _questionnaire(
        activity.current_version,
        status=_FHIR_STATUS[activity.status],
        url=settings.SITE_URL + path,
        identifier=activity.pk,
    )


def curated_questionnaire(curated) -> dict:
    path = reverse("library-global-fhir", kwargs={"pk": curated.pk})
    return _questionnaire(
        curated.current_version,
        status=_FHIR_STATUS[curated.status],
        url=settings.SITE_URL + path,
        identifier=curated.pk,
    )


def questionnaire_url(activity) -> str:
    """The canonical URL of the Questionnaire an activity exports as. A linked copy of a
    global activity answers to the global item's URL, so entries made in any practice that
    uses it point at the same Questionnaire (and can be imported into another)."""
    if activity.is_linked_copy:
        return settings.SITE_URL + reverse("library-global-fhir", kwargs={"pk": activity.origin_id})
    return settings.SITE_URL + reverse("library-activity-fhir", kwargs={"pk": activity.pk})


def questionnaire_canonical(version) -> str:
    """``url|version`` of the Questionnaire of one activity version (FHIR canonical)."""
    return f"{questionnaire_url(version.activity)}|{version.number}"
