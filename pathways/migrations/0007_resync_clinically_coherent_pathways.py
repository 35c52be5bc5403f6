"""Write the global pathways again from pathways/seed/*.json after their clinical review:
behavioural activation schedules activities for everyone and holds a severe baseline for
review, the sleep pathway's baseline week lasts a week, the social-anxiety pathway measures
low mood too, and a new CBT-for-depression pathway uses thought records. The library is
synced first, for the new reading it delivers. Practice copies and running enrolments keep
their own steps (a practice copies a global pathway; nothing points at its steps)."""

from django.db import migrations

# The new CBT pathway is listed too: on a new database 0002 has already created it from its
# file, without the completion rules its model did not have yet.
REVIEWED = (
    "behavioural-activation-low-mood",
    "sleep-routine",
    "exposure-social-anxiety",
    "cbt-depression-thought-records",
)


def resync(apps, schema_editor):
    from library.seeding import sync_global_library
    from pathways.seeding import sync_global_pathways

    sync_global_library(
        curated_model=apps.get_model("library", "CuratedActivity"),
        version_model=apps.get_model("library", "CuratedActivityVersion"),
    )
    sync_global_pathways(
        pathway_model=apps.get_model("pathways", "CuratedPathway"),
        step_model=apps.get_model("pathways", "CuratedPathwayStep"),
        activity_model=apps.get_model("library", "CuratedActivity"),
        replace=REVIEWED,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("pathways", "0006_step_completion_rules_and_review_holds"),
        ("library", "0007_seed_standard_measures_and_difficulty_item"),
    ]

    operations = [migrations.RunPython(resync, migrations.RunPython.noop)]
