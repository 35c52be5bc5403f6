"""The standard measures reach every practice's global library through the seed sync, locked
as validated instruments; the PHQ-9's difficulty question came as a new version, and an
assignment pinned to the earlier version keeps it."""

import json
import shutil

import pytest
from django_scopes import scopes_disabled

from library.models import CuratedActivity
from library.seeding import SEED_DIR, sync_global_library
from tests.factories import activity_version_for
from worksheets import iter_fields, load_measure

pytestmark = pytest.mark.django_db

NEW = {
    "phq-2": "phq2",
    "gad-2": "gad2",
    "phq-15": "phq15",
    "pcl-5": "pcl5",
    "dass-21": "dass21",
    "k10": "k10",
}


@pytest.mark.parametrize(("slug", "name"), [*NEW.items(), ("phq-9", "phq9"), ("gad-7", "gad7")])
def test_each_seed_is_the_canonical_measure_and_is_locked(slug, name):
    seed = json.loads((SEED_DIR / f"{slug}.json").read_text())
    assert seed["definition"] == load_measure(name)
    assert seed["tags"]["kind"] == "measure"
    curated = CuratedActivity.objects.select_related("current_version").get(slug=slug)
    assert curated.current_version.definition == load_measure(name)
    assert curated.current_version.is_locked_instrument


def test_a_practice_copy_is_locked_and_credited(world):
    version = activity_version_for(world.practice_a, "pcl-5")
    with scopes_disabled():
        assert version.is_locked_instrument
        assert version.instrument["name"] == "PCL-5"


def test_the_difficulty_question_is_a_new_version_and_pinned_copies_keep_theirs(tmp_path, world):
    """Replay the change: a library whose PHQ-9 file has no difficulty question, then the file
    as shipped. The sync publishes a new version; the earlier one is left as it was."""
    directory = tmp_path / "activities"
    shutil.copytree(SEED_DIR, directory)
    path = directory / "phq-9.json"
    document = json.loads(path.read_text())
    fields = document["definition"]["sections"][0]["fields"]
    document["definition"]["sections"][0]["fields"] = [f for f in fields if f["id"] != "difficulty"]
    path.write_text(json.dumps(document))
    assert sync_global_library(directory=directory).updated == ["phq-9"]
    curated = CuratedActivity.objects.get(slug="phq-9")
    earlier = curated.current_version
    assert "difficulty" not in {f["id"] for f in iter_fields(earlier.definition)}

    report = sync_global_library()
    assert report.updated == ["phq-9"]
    curated.refresh_from_db()
    assert curated.current_version.number == earlier.number + 1
    assert "difficulty" in {f["id"] for f in iter_fields(curated.current_version.definition)}
    earlier.refresh_from_db()
    assert "difficulty" not in {f["id"] for f in iter_fields(earlier.definition)}
