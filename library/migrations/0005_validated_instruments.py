"""PHQ-9 and GAD-7 become validated instruments (their definitions carry an ``instrument``
block: name, licence, citation, attribution).

The global library gets a new published version of each through the usual idempotent sync.
Practice copies made before are corrected in place, because what they claim is wrong either
way: a copy whose questions, options and scoring are still exactly the instrument's gets the
block (so it is locked and credited); a copy that was changed but still carries the
instrument's LOINC codes loses them (so its scores are no longer charted or counted as the
instrument's outcomes) and credits its source as an adapted copy. Nothing a client sent is
touched.
"""

from django.db import migrations

_LOCKED_KEYS = ("entry_mode", "sections", "scoring")
# The measures as they were when this migration was written: later ones (PHQ-2, …) had no copies
# to correct, and the functional-difficulty question added to PHQ-9 and GAD-7 later (0007) was
# not part of the instrument these copies were compared with.
_MEASURES_THEN = ("phq9", "gad7")
_ADDED_LATER = frozenset({"difficulty"})


def _as_then(definition):
    for section in definition["sections"]:
        section["fields"] = [f for f in section["fields"] if f.get("id") not in _ADDED_LATER]
    return definition


def forward(apps, schema_editor):
    from library.seeding import sync_global_library
    from worksheets.measures import load_measure

    sync_global_library(
        curated_model=apps.get_model("library", "CuratedActivity"),
        version_model=apps.get_model("library", "CuratedActivityVersion"),
    )
    ActivityVersion = apps.get_model("library", "ActivityVersion")
    for name in _MEASURES_THEN:
        canonical = _as_then(load_measure(name))
        instrument = canonical.get("instrument") or {}
        if instrument.get("validated") is not True:
            continue
        panel = canonical["scoring"]["loinc"]["panel"]
        copies = ActivityVersion.objects.filter(definition__scoring__loinc__panel=panel)
        for version in copies.iterator():
            definition = version.definition
            if "instrument" in definition:
                continue
            same = all(
                definition.get(key, "single" if key == "entry_mode" else None)
                == canonical.get(key, "single" if key == "entry_mode" else None)
                for key in _LOCKED_KEYS
            )
            if same:
                definition["instrument"] = instrument
            else:
                definition["scoring"].pop("loinc", None)
                definition["instrument"] = {
                    "validated": False,
                    "adapted_from": instrument["name"],
                    "attribution": instrument["attribution"],
                }
            ActivityVersion.objects.filter(pk=version.pk).update(definition=definition)


class Migration(migrations.Migration):
    dependencies = [("library", "0004_seed_safety_plan")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop, elidable=False)]
