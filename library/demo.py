"""Demo data for the library: each practice uses a few global activities as they are and has
one customised copy of its own (shared with the practice). Idempotent."""

from accounts.models import Membership
from library import services
from library.models import Activity, CuratedActivity, PublicationStatus
from library.seeding import sync_global_library
from worksheets.editing import add_field

USED_AS_IS = ["thought-record", "phq-9", "gad-7", "activity-schedule", "sleep-diary"]
CUSTOMISED = "worry-time"
CUSTOM_QUESTION = {
    "id": "worry_time_slot",
    "type": "time",
    "label": "When is your worry time tomorrow?",
    "help": "Pick the same time each day if you can, not too close to bedtime.",
}


def seed(practice, people) -> None:
    if not CuratedActivity.objects.exists():
        sync_global_library()
    actor = Membership.objects.get(practice=practice, user=people.therapists[0])
    for curated in CuratedActivity.objects.filter(
        slug__in=USED_AS_IS, status=PublicationStatus.PUBLISHED
    ):
        services.activity_adopt(practice=practice, actor=actor, curated=curated)
    if Activity.objects.filter(
        practice=practice, origin__slug=CUSTOMISED, is_customised=True
    ).exists():
        return
    source = CuratedActivity.objects.get(slug=CUSTOMISED)
    copy = services.activity_customise(practice=practice, actor=actor, curated=source)
    definition = copy.current_version.definition
    section = definition["sections"][0]["id"]
    definition, field_id = add_field(definition, section, "time")
    for placed in definition["sections"][0]["fields"]:
        if placed["id"] == field_id:
            placed.clear()
            placed.update(CUSTOM_QUESTION)
    services.activity_draft_save(
        activity=copy,
        actor=actor,
        title=f"{copy.current_version.title} ({practice.name})",
        definition=definition,
    )
    services.activity_publish(activity=copy, actor=actor)
    services.activity_set_shared(activity=copy, actor=actor, shared=True)
