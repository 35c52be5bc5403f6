"""Removing a step from a pathway template."""

import pytest
from django_scopes import scopes_disabled

from pathways.models import PathwayStep
from tests.pathways.conftest import step_spec

pytestmark = pytest.mark.django_db


def test_removing_a_step_moves_the_later_ones_up(world, library, build, web):
    """Positions stay 1, 2, … after a removal (the renumbering once compared against the
    deleted step's id after Django had cleared it, so nothing moved)."""
    pathway = build(
        [step_spec(activity, "on_enrolment") for activity in library.plain[:3]], publish=False
    )
    with scopes_disabled():
        first, middle, last = PathwayStep.objects.filter(pathway=pathway).order_by("position")
    response = web(world.owner_a).delete(f"/api/v1/pathway-steps/{middle.pk}/")
    assert response.status_code == 204
    with scopes_disabled():
        left = dict(PathwayStep.objects.filter(pathway=pathway).values_list("pk", "position"))
    assert left == {first.pk: 1, last.pk: 2}
