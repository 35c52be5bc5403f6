"""Enrolling a client straight from a global pathway, in one step.

An enrolment runs on a practice pathway (its steps, activities and notes belong to the
practice), so a global pathway is used through the practice's copy of it: the newest
published copy if the practice has one (its customisations are the practice's decision),
otherwise a fresh copy, published as it is. Copy, publish and enrol are one transaction: a
refused enrolment leaves no copy behind.
"""

from __future__ import annotations

from django.db import transaction

from pathways.models import CuratedPathway, Enrolment, Pathway
from pathways.selectors import practice_copy_of
from pathways.services import authoring, enrolments


@transaction.atomic
def enrolment_create_from_global(
    *, curated_pathway: CuratedPathway, client, actor, start_date
) -> Enrolment:
    pathway: Pathway | None = practice_copy_of(client.practice, curated_pathway)
    if pathway is None:
        pathway = authoring.pathway_copy_from_global(
            practice=client.practice, actor=actor, curated_pathway=curated_pathway
        )
        authoring.pathway_publish(pathway=pathway, actor=actor)
    return enrolments.enrolment_create(
        pathway=pathway, client=client, actor=actor, start_date=start_date
    )
