"""The safety plan joins the global library, and urge surfing and the DBT diary card name it
where they tell the client to use it (same idempotent sync as 0003)."""

from django.db import migrations


def seed(apps, schema_editor):
    from library.seeding import sync_global_library

    sync_global_library(
        curated_model=apps.get_model("library", "CuratedActivity"),
        version_model=apps.get_model("library", "CuratedActivityVersion"),
    )


class Migration(migrations.Migration):
    dependencies = [("library", "0003_seed_global_library")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
