"""The one error shape shared by definition and response validation."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Issue:
    """One problem, located by a path such as ``sections[1].fields[0].label`` or
    ``thoughts[2].belief`` (empty for the document as a whole)."""

    path: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"path": self.path, "message": self.message}


def key_path(base: str, key: str) -> str:
    """Path of ``key`` inside the object at ``base``."""
    return f"{base}.{key}" if base else key


def index_path(base: str, index: int) -> str:
    """Path of item ``index`` inside the list at ``base``."""
    return f"{base}[{index}]"


def quote(value: object, limit: int = 40) -> str:
    """A short, quoted rendering of a user-supplied value for messages, so a pasted essay
    does not end up inside an error message."""
    text = value if isinstance(value, str) else repr(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return f"'{text}'"
