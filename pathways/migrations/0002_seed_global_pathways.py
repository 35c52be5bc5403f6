"""Seed the global pathway library from pathways/seed/*.json (idempotent: pathways that
exist are left to the curators)."""

from django.db import migrations


def seed(apps, schema_editor):
    from pathways.seeding import sync_global_pathways

    sync_global_pathways(
        pathway_model=apps.get_model("pathways", "CuratedPathway"),
        step_model=apps.get_model("pathways", "CuratedPathwayStep"),
        activity_model=apps.get_model("library", "CuratedActivity"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("pathways", "0001_initial"),
        ("library", "0003_seed_global_library"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
