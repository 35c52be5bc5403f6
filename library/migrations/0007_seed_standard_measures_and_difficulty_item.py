"""Six more standard measures join the global library (PHQ-2, GAD-2, PHQ-15, PCL-5, DASS-21 and
K10, each a validated instrument with its licence and citation), and the PHQ-9 and GAD-7 get a
new version with their unscored functional-difficulty question.

Through the same idempotent sync as 0003: a new file becomes a curated activity, a changed one a
new published version. Assignments already made stay pinned to the version they were given, so
entries sent before keep validating against the questions they answered.
"""

from django.db import migrations


def seed(apps, schema_editor):
    from library.seeding import sync_global_library

    sync_global_library(
        curated_model=apps.get_model("library", "CuratedActivity"),
        version_model=apps.get_model("library", "CuratedActivityVersion"),
    )


class Migration(migrations.Migration):
    dependencies = [("library", "0006_seed_risk_rules")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
