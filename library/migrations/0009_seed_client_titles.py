"""Calm client-facing titles for the global activities whose clinical name reads oddly to a
client ("Thought record (7 columns)" → "Thought record"), from the seed files.

Through the same idempotent sync as 0003 and 0007: a changed file becomes a new published
version. Assignments already made stay pinned to the version they were given (and so to its
title), as for every other content change.
"""

from django.db import migrations


def seed(apps, schema_editor):
    from library.seeding import sync_global_library

    sync_global_library(
        curated_model=apps.get_model("library", "CuratedActivity"),
        version_model=apps.get_model("library", "CuratedActivityVersion"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("library", "0008_version_client_title"),
        ("pathways", "0007_resync_clinically_coherent_pathways"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
