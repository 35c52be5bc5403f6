"""What an activity version says, checked and moved in and out of the library's own JSON format.

Plain functions over dicts (no queries), so the data migration can use them with historical
models. The JSON format is the shape of the seed files (library/seed/README.md),
plus a ``format`` marker on export: the same document seeds the global library, exports an
activity and imports it again, losslessly.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from library.models import APPROACHES, PROBLEMS, Kind
from worksheets import Issue, validate_definition

FORMAT: Final = "bridgework.activity"
FORMAT_VERSION: Final = 1

KINDS: Final = tuple(Kind.values)

# The columns of a version that make up its content (the rest is bookkeeping).
CONTENT_FIELDS: Final = (
    "title",
    "client_title",
    "summary",
    "rationale",
    "instructions",
    "estimated_minutes",
    "kind",
    "approaches",
    "problems",
    "definition",
)
_DOCUMENT_KEYS: Final = frozenset(
    {
        "format",
        "format_version",
        "slug",
        "title",
        "client_title",
        "summary",
        "rationale",
        "instructions",
        "estimated_minutes",
        "tags",
        "definition",
    }
)
_TAG_KEYS: Final = frozenset({"approach", "problem", "kind"})
TITLE_MAX: Final = 200
SUMMARY_MAX: Final = 300
RATIONALE_MAX: Final = 5000
STEP_MAX: Final = 500
STEPS_MAX: Final = 30
MINUTES_MAX: Final = 240


def content_of(version) -> dict[str, Any]:
    """The content of a version (any object with the content attributes) as a dict."""
    return {name: getattr(version, name) for name in CONTENT_FIELDS}


def blank_definition() -> dict[str, Any]:
    """What a new activity starts with: one section holding one question."""
    return {
        "schema_version": 1,
        "entry_mode": "single",
        "sections": [
            {
                "id": "main",
                "title": "Your answers",
                "fields": [{"id": "notes", "type": "long_text", "label": "What did you notice?"}],
            }
        ],
        "scoring": None,
    }


def check_content(content: Mapping[str, Any], *, publishing: bool = False) -> list[Issue]:
    """Every problem with ``content``; the definition's problems carry ``definition.`` paths.

    A draft may still lack a rationale and steps; a published version may not, because the
    client reads them (why this helps and how to do it predict whether homework gets done).
    """
    issues: list[Issue] = []

    def add(path: str, message: str) -> None:
        issues.append(Issue(path, message))

    title = content.get("title")
    if not isinstance(title, str) or not title.strip():
        add("title", "Give the activity a title.")
    elif len(title) > TITLE_MAX:
        add("title", f"Keep the title to {TITLE_MAX} characters.")
    client_title = content.get("client_title", "")
    if not isinstance(client_title, str) or len(client_title) > TITLE_MAX:
        add("client_title", f"The client's title is text of at most {TITLE_MAX} characters.")
    else:
        # A validated instrument is never renamed for the client (its name is how results are
        # recognised and cited); it may only gain a plain-language subtitle after its name.
        definition = content.get("definition")
        instrument = definition.get("instrument") if isinstance(definition, Mapping) else None
        name = instrument.get("name") if isinstance(instrument, Mapping) else None
        if (
            client_title.strip()
            and isinstance(instrument, Mapping)
            and instrument.get("validated") is True
            and isinstance(name, str)
            and not client_title.strip().startswith(name)
        ):
            add(
                "client_title",
                f"Keep the questionnaire's name: start with “{name}”, then a plain subtitle.",
            )
    summary = content.get("summary", "")
    if not isinstance(summary, str) or len(summary) > SUMMARY_MAX:
        add("summary", f"The summary is text of at most {SUMMARY_MAX} characters.")
    rationale = content.get("rationale", "")
    if not isinstance(rationale, str) or len(rationale) > RATIONALE_MAX:
        add("rationale", f"The rationale is text of at most {RATIONALE_MAX} characters.")
    elif publishing and not rationale.strip():
        add("rationale", "Tell the client why this helps before publishing.")
    _check_steps(content.get("instructions", []), publishing, add)
    minutes = content.get("estimated_minutes")
    if not isinstance(minutes, int) or isinstance(minutes, bool) or not 1 <= minutes <= MINUTES_MAX:
        add(
            "estimated_minutes",
            f"Estimated minutes must be a whole number from 1 to {MINUTES_MAX}.",
        )
    if content.get("kind") not in KINDS:
        add("kind", f"Kind must be one of: {', '.join(KINDS)}.")
    _check_tags(content.get("approaches"), APPROACHES, "approaches", add)
    _check_tags(content.get("problems"), PROBLEMS, "problems", add)
    for issue in validate_definition(content.get("definition")):
        add(f"definition.{issue.path}" if issue.path else "definition", issue.message)
    return issues


def _check_steps(steps: Any, publishing: bool, add) -> None:
    if not isinstance(steps, list) or not all(isinstance(s, str) and s.strip() for s in steps):
        add("instructions", "Instructions are a list of steps, each a non-empty text.")
        return
    if len(steps) > STEPS_MAX:
        add("instructions", f"Keep it to at most {STEPS_MAX} steps.")
    for index, step in enumerate(steps):
        if len(step) > STEP_MAX:
            add(f"instructions[{index}]", f"Keep each step to {STEP_MAX} characters.")
    if publishing and not steps:
        add("instructions", "Add at least one step telling the client how to do it.")


def _check_tags(values: Any, vocabulary: tuple[str, ...], path: str, add) -> None:
    if not isinstance(values, list) or len(set(map(str, values))) != len(values):
        add(path, "Tags are a list without repeats.")
        return
    for value in values:
        if value not in vocabulary:
            add(path, f"Unknown tag '{value}'; use one of: {', '.join(vocabulary)}.")


def to_document(content: Mapping[str, Any], *, slug: str | None = None) -> dict[str, Any]:
    """The library's JSON format for one activity."""
    document: dict[str, Any] = {"format": FORMAT, "format_version": FORMAT_VERSION}
    if slug:
        document["slug"] = slug
    document.update(
        title=content["title"],
    )
    # Only when set, so documents of activities without one read as they always did.
    if content.get("client_title"):
        document["client_title"] = content["client_title"]
    document.update(
        summary=content["summary"],
        rationale=content["rationale"],
        instructions=list(content["instructions"]),
        estimated_minutes=content["estimated_minutes"],
        tags={
            "approach": list(content["approaches"]),
            "problem": list(content["problems"]),
            "kind": content["kind"],
        },
        definition=content["definition"],
    )
    return document


def from_document(document: Any) -> tuple[dict[str, Any], str | None, list[Issue]]:
    """``(content, slug, issues)`` for a document in the library's JSON format (or a seed
    file). The content is only usable when ``issues`` is empty."""
    if not isinstance(document, Mapping):
        return {}, None, [Issue("", "An activity must be a JSON object.")]
    issues: list[Issue] = []
    unknown = sorted(set(document) - _DOCUMENT_KEYS)
    if unknown:
        issues.append(Issue("", f"Unknown keys: {', '.join(unknown)}."))
    if document.get("format", FORMAT) != FORMAT:
        issues.append(Issue("format", f"This is not a Bridgework activity ('{FORMAT}')."))
    if document.get("format_version", FORMAT_VERSION) != FORMAT_VERSION:
        issues.append(Issue("format_version", f"Only format_version {FORMAT_VERSION} is read."))
    for key in ("title", "definition"):
        if key not in document:
            issues.append(Issue(key, f"'{key}' is required."))
    tags = document.get("tags", {})
    if not isinstance(tags, Mapping) or set(tags) - _TAG_KEYS:
        issues.append(Issue("tags", "Tags are an object with approach, problem and kind."))
        tags = {}
    content = {
        "title": document.get("title", ""),
        "client_title": document.get("client_title", ""),
        "summary": document.get("summary", ""),
        "rationale": document.get("rationale", ""),
        "instructions": document.get("instructions", []),
        "estimated_minutes": document.get("estimated_minutes", 10),
        "kind": tags.get("kind", "worksheet"),
        "approaches": tags.get("approach", []),
        "problems": tags.get("problem", []),
        "definition": document.get("definition"),
    }
    issues += [_document_issue(issue) for issue in check_content(content)]
    slug = document.get("slug")
    if slug is not None and not isinstance(slug, str):
        issues.append(Issue("slug", "The slug is text."))
    return content, slug, issues


_DOCUMENT_PATHS: Final = {
    "kind": "tags.kind",
    "approaches": "tags.approach",
    "problems": "tags.problem",
}


def _document_issue(issue: Issue) -> Issue:
    """Content paths named as they appear in the document."""
    return Issue(_DOCUMENT_PATHS.get(issue.path, issue.path), issue.message)
