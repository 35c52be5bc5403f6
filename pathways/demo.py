"""Demo data: a practice copy of the global sleep-routine pathway, published, and one client
part-way through it (the first step released). Idempotent."""

from django.utils import timezone

from accounts.models import Membership
from clients.models import ClientStatus
from pathways.models import CuratedPathway, Pathway, PathwayStatus, StepStatus
from pathways.seeding import sync_global_pathways
from pathways.services.authoring import pathway_copy_from_global, pathway_publish
from pathways.services.enrolments import enrolment_create
from pathways.services.release import enrolment_step_release

DEMO_PATHWAY = "sleep-routine"


def seed(practice, people) -> None:
    source = CuratedPathway.objects.filter(slug=DEMO_PATHWAY).first()
    if source is None:
        sync_global_pathways()
        source = CuratedPathway.objects.get(slug=DEMO_PATHWAY)
    therapist = people.therapists[0]
    actor = Membership.objects.get(practice=practice, user=therapist)
    pathway = Pathway.objects.filter(practice=practice, origin=source).first()
    if pathway is None:
        pathway = pathway_copy_from_global(practice=practice, actor=actor, curated_pathway=source)
    if pathway.status != PathwayStatus.PUBLISHED:
        pathway_publish(pathway=pathway, actor=actor)
    client = next(
        (
            c
            for c in people.clients
            if c.primary_therapist_id == therapist.pk and c.status == ClientStatus.ACTIVE
        ),
        None,
    )
    if client is None or pathway.enrolments.filter(client=client).exists():
        return
    enrolment = enrolment_create(
        pathway=pathway,
        client=client,
        actor=actor,
        start_date=timezone.localdate(timezone.now(), client.tz),
    )
    # Release what is due now rather than wait for the worker, so the demo shows it at once.
    for step in enrolment.steps.filter(status=StepStatus.SCHEDULED, release_at__lte=timezone.now()):
        enrolment_step_release(step_id=step.pk)
