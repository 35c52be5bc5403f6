"""The global library is seeded from library/seed/activities/*.json by a data migration, with
an idempotent sync that refuses invalid files."""

import json
import shutil

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from library import services
from library.models import CuratedActivity, CuratedActivityVersion, PublicationStatus
from library.seeding import SEED_DIR, SeedError, sync_global_library

pytestmark = pytest.mark.django_db


@pytest.fixture
def seed_dir(tmp_path):
    """A private copy of the seed files to change."""
    target = tmp_path / "activities"
    shutil.copytree(SEED_DIR, target)
    return target


def _edit(path, **changes):
    document = json.loads(path.read_text())
    document.update(changes)
    path.write_text(json.dumps(document))
    return document


def test_the_data_migration_seeded_the_whole_global_library():
    files = sorted(SEED_DIR.glob("*.json"))
    assert len(files) >= 22
    published = CuratedActivity.objects.filter(status=PublicationStatus.PUBLISHED).select_related(
        "current_version"
    )
    assert {c.slug for c in published} >= {f.stem for f in files}
    for curated in published:
        version = curated.current_version
        assert version.is_published
        assert version.title and version.rationale and version.instructions
        assert version.estimated_minutes > 0 and version.approaches and version.problems
        assert version.search_text and version.tag_index.startswith("|approach:")


def test_sync_is_a_no_op_when_nothing_changed():
    before = CuratedActivityVersion.objects.count()
    report = sync_global_library()
    assert report.created == report.updated == []
    assert len(report.unchanged) == len(list(SEED_DIR.glob("*.json")))
    assert CuratedActivityVersion.objects.count() == before


def test_a_changed_file_becomes_a_new_published_version(seed_dir):
    _edit(seed_dir / "worry-time.json", estimated_minutes=25)
    report = sync_global_library(directory=seed_dir)
    assert report.updated == ["worry-time"]
    curated = CuratedActivity.objects.get(slug="worry-time")
    assert curated.current_version.number == 2
    assert curated.current_version.estimated_minutes == 25
    assert curated.versions.get(number=1).estimated_minutes != 25, "v1 is kept as it was"
    assert sync_global_library(directory=seed_dir).updated == []


def test_a_new_file_becomes_a_new_activity(seed_dir):
    document = json.loads((seed_dir / "worry-time.json").read_text())
    document.update(slug="worry-time-short", title="Worry time (short)")
    (seed_dir / "worry-time-short.json").write_text(json.dumps(document))
    assert sync_global_library(directory=seed_dir).created == ["worry-time-short"]
    assert (
        CuratedActivity.objects.get(slug="worry-time-short").status == PublicationStatus.PUBLISHED
    )


def test_invalid_files_are_refused_and_nothing_is_written(seed_dir):
    document = json.loads((seed_dir / "values.json").read_text())
    document["definition"]["sections"][0]["fields"][0]["type"] = "hologram"
    document["estimated_minutes"] = 20
    (seed_dir / "values.json").write_text(json.dumps(document))
    _edit(seed_dir / "sleep-diary.json", slug="sleep", estimated_minutes=30)
    _edit(seed_dir / "gratitude-journal.json", estimated_minutes=12)
    before = CuratedActivityVersion.objects.count()
    with pytest.raises(SeedError) as refused:
        sync_global_library(directory=seed_dir)
    message = str(refused.value)
    assert "values.json: definition.sections[0].fields[0].type" in message
    assert "sleep-diary.json: slug must be 'sleep-diary'" in message
    assert CuratedActivityVersion.objects.count() == before


def test_a_curators_draft_stays_the_next_version(seed_dir, world):
    curated = CuratedActivity.objects.get(slug="coping-card")
    services.curated_draft_save(curated=curated, actor=world.curator, estimated_minutes=7)
    _edit(seed_dir / "coping-card.json", estimated_minutes=9)
    sync_global_library(directory=seed_dir)
    curated.refresh_from_db()
    assert curated.current_version.number == 2
    assert curated.draft_version.number == 3
    assert curated.draft_version.estimated_minutes == 7


def test_sync_runs_on_the_migrations_historical_models(seed_dir):
    """What the data migration does: the models as they were at that migration."""
    state = MigrationExecutor(connection).loader.project_state(
        ("library", "0003_seed_global_library")
    )
    _edit(seed_dir / "self-contract.json", estimated_minutes=6)
    report = sync_global_library(
        curated_model=state.apps.get_model("library", "CuratedActivity"),
        version_model=state.apps.get_model("library", "CuratedActivityVersion"),
        directory=seed_dir,
    )
    assert report.updated == ["self-contract"]
    version = CuratedActivity.objects.get(slug="self-contract").current_version
    assert version.estimated_minutes == 6
    assert version.tag_index == version.build_tag_index()
    assert version.search_text == version.build_search_text()
