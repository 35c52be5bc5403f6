"""Practice B's pathway objects for the URLconf isolation walker (tests/isolation.py)."""

from django.utils import timezone
from django_scopes import scopes_disabled

from accounts.models import Membership
from core.tenancy import practice_scope
from pathways.models import CuratedPathway, EnrolmentStep
from pathways.services.authoring import pathway_create, pathway_publish, pathway_step_add
from pathways.services.enrolments import enrolment_create
from tests.factories import curated_activity_for


def pathway_targets(world) -> dict:
    activity = curated_activity_for(title="Beta's worksheet")
    with scopes_disabled():
        actor = Membership.objects.get(practice=world.practice_b, user=world.owner_b)
    with practice_scope(world.practice_b):
        pathway = pathway_create(practice=world.practice_b, actor=actor, name="Beta's")
        step = pathway_step_add(
            pathway=pathway, actor=actor, curated_activity=activity, delivery="on_enrolment"
        )
        pathway_publish(pathway=pathway, actor=actor)
        enrolment = enrolment_create(
            pathway=pathway,
            client=world.client_b,
            actor=actor,
            start_date=timezone.localdate(timezone.now(), world.client_b.tz),
        )
        enrolment_step = EnrolmentStep.objects.get(enrolment=enrolment)
    draft = CuratedPathway.objects.create(slug="isolation-draft", name="Not published")
    return {
        "pathway_id": pathway.pk,
        "pathway_step_id": step.pk,
        "enrolment_id": enrolment.pk,
        "enrolment_step_id": enrolment_step.pk,
        "curated_pathway_id": draft.pk,
        "pathway-global.pk": draft.pk,
        "pathway.pk": pathway.pk,
        "pathway-step.pk": step.pk,
        "pathway-enrolment.pk": enrolment.pk,
        "pathway-enrolment-step.pk": enrolment_step.pk,
    }
