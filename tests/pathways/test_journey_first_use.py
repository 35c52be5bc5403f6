"""The client's journey tells the truth and keeps a secret (issue 23): a time already past is
not promised, and a step whose condition is not known yet is named nowhere, not even as the
step another one waits for."""

from datetime import time, timedelta

import pytest
import time_machine
from django.utils import timezone

from tests.pathways.conftest import complete, step_spec, steps_of

pytestmark = pytest.mark.django_db


def test_a_step_after_an_unsettled_conditional_step_does_not_name_it(
    portal, world, library, build, enrol
):
    pathway = build(
        [
            step_spec(library.plain[0], "on_enrolment"),
            step_spec(library.phq9, "after_previous"),
            step_spec(
                library.schedule,
                "after_previous",
                condition_index=1,
                condition_operator="gte",
                condition_value=10,
            ),
            step_spec(library.plain[1], "after_previous"),
        ]
    )
    enrolment = enrol(pathway)
    complete(steps_of(enrolment)[0])
    page = portal(world.client_a).get("/portal/journey/").content.decode()
    assert "PHQ-9" in page  # open now
    assert "Step 2 worksheet" in page  # the step after the hidden one is listed...
    assert "Activity schedule" not in page  # ...without naming the step it waits for


def test_a_release_time_already_past_is_not_promised(portal, world, library, build, enrol):
    pathway = build(
        [
            step_spec(library.plain[0], "on_enrolment"),
            step_spec(
                library.plain[1], "days_after_enrolment", delay_days=1, time_of_day=time(23, 55)
            ),
        ]
    )
    start = timezone.now().replace(hour=9, minute=0, second=0, microsecond=0)
    with time_machine.travel(start, tick=False):
        enrolment = enrol(pathway)
        before = portal(world.client_a).get("/portal/journey/").content.decode()
        assert "at 23:55" in before
    release_at = steps_of(enrolment)[1].release_at
    # The sweeper has not run yet: the step is still scheduled, its time gone.
    with time_machine.travel(release_at + timedelta(minutes=5), tick=False):
        after = portal(world.client_a).get("/portal/journey/").content.decode()
    assert "at 23:55" not in after
    assert "Coming soon" in after
