"""Seed the global activity library from library/seed/activities/*.json, so that every
deployment has it. Later changes to the files ship as new data migrations calling the same
idempotent sync."""

from django.db import migrations


def seed(apps, schema_editor):
    from library.seeding import sync_global_library

    sync_global_library(
        curated_model=apps.get_model("library", "CuratedActivity"),
        version_model=apps.get_model("library", "CuratedActivityVersion"),
    )


class Migration(migrations.Migration):
    dependencies = [("library", "0002_drafts_tags_media")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
