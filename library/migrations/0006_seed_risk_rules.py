"""Risk rules move onto the items they watch: the PHQ-9's item 9 carries its own rule, and
the DBT diary card alerts on self-harm, a strong urge to self-harm and a new row for thoughts
of suicide. Existing installations get these versions through the same idempotent sync as
0003; assignments already made stay pinned to the version they were given (whose PHQ-9
``scoring.critical`` still alerts)."""

from django.db import migrations


def seed(apps, schema_editor):
    from library.seeding import sync_global_library

    sync_global_library(
        curated_model=apps.get_model("library", "CuratedActivity"),
        version_model=apps.get_model("library", "CuratedActivityVersion"),
    )


class Migration(migrations.Migration):
    dependencies = [("library", "0005_validated_instruments")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
