"""Load the global library from library/seed/activities/*.json (the files are the source of
truth for that content; see library/seed/README.md).

``sync_global_library`` is idempotent: an unchanged file does nothing, a changed one becomes a
new published version, a new one a new curated activity. Every file is checked first and
nothing is written if any is invalid. It takes the model classes as parameters so that the
data migration can pass its historical models; it only touches fields that existed when that
migration was written (library 0002), and computes derived columns with plain functions.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from library.content import from_document
from library.models import build_search_text, build_tag_index

SEED_DIR = Path(__file__).resolve().parent / "seed" / "activities"


class SeedError(ValueError):
    """One or more seed files are invalid; the message lists every problem by file and path."""


@dataclass
class SyncReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def load_seed_files(directory: Path = SEED_DIR) -> list[tuple[str, dict]]:
    """``[(slug, content)]`` for every file, or ``SeedError`` naming every problem."""
    entries, problems = [], []
    for path in sorted(directory.glob("*.json")):
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            problems.append(f"{path.name}: not readable JSON ({exc})")
            continue
        content, slug, issues = from_document(document)
        if slug != path.stem:
            problems.append(f"{path.name}: slug must be '{path.stem}' (the file name)")
        for issue in issues:
            problems.append(f"{path.name}: {issue.path or '(document)'}: {issue.message}")
        if not issues:
            entries.append((path.stem, content))
    if problems:
        raise SeedError("Invalid global library files:\n" + "\n".join(problems))
    return entries


def sync_global_library(
    *, curated_model=None, version_model=None, directory: Path = SEED_DIR
) -> SyncReport:
    if curated_model is None or version_model is None:
        from library.models import CuratedActivity, CuratedActivityVersion

        curated_model, version_model = CuratedActivity, CuratedActivityVersion
    entries = load_seed_files(directory)
    # An older data migration's historical model lacks columns added since (client_title):
    # write and compare only the content fields that model has.
    known = {f.name for f in version_model._meta.get_fields()}
    entries = [
        (slug, {k: v for k, v in content.items() if k in known}) for slug, content in entries
    ]
    report = SyncReport()
    with transaction.atomic():
        for slug, content in entries:
            curated = (
                curated_model.objects.select_related("current_version", "draft_version")
                .filter(slug=slug)
                .first()
            )
            if curated is None:
                curated = curated_model.objects.create(slug=slug, status="published")
                report.created.append(slug)
            elif curated.current_version and _same(curated.current_version, content):
                report.unchanged.append(slug)
                continue
            else:
                report.updated.append(slug)
            _publish_file_version(curated, content, version_model)
    return report


def _same(version, content: dict) -> bool:
    return all(getattr(version, name) == value for name, value in content.items())


def _publish_file_version(curated, content: dict, version_model) -> None:
    draft = curated.draft_version
    published = curated.versions.exclude(pk=getattr(draft, "pk", None))
    highest = published.aggregate(top=Max("number"))["top"] or 0
    if draft is not None:
        # A curator's unpublished draft stays the *next* version after the file's.
        draft.number = highest + 2
        draft.save(update_fields=["number"])
    version = version_model(
        activity=curated, number=highest + 1, published_at=timezone.now(), **content
    )
    version.search_text = build_search_text(version)
    version.tag_index = build_tag_index(version)
    version.save()
    curated.current_version = version
    if curated.status == "draft":
        curated.status = "published"
    curated.save(update_fields=["current_version", "status", "updated_at"])
