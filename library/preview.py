"""What the client will see, for previews in the library, the builder and the curator area."""

from __future__ import annotations

import uuid

from django.template.loader import render_to_string
from django.urls import reverse

from worksheets.personalise import PLACEHOLDERS, fill, personalise_definition
from worksheets.render import render_worksheet


def media_url(upload: str) -> str | None:
    """Where an uploaded media file of a definition (``"upload": id``) is served."""
    try:
        media_id = uuid.UUID(str(upload))
    except ValueError:
        return None
    return reverse("library:media", kwargs={"media_id": media_id})


def client_preview(content: dict, names: dict[str, str] | None = None) -> str:
    """The client's page for ``content`` (title, why, how, the worksheet form), inert: the
    worksheet is rendered in form mode inside a disabled fieldset. ``{client_name}`` and
    ``{therapist_name}`` are shown filled with ``names`` (a real client in context), else as
    "[client's name]" and "[therapist's name]"."""
    names = names or PLACEHOLDERS
    shown = dict(content)
    shown["rationale"] = fill(content.get("rationale") or "", names)
    shown["instructions"] = [fill(step, names) for step in content.get("instructions") or []]
    return render_to_string(
        "library/_client_preview.html",
        {
            "content": shown,
            "worksheet": render_worksheet(
                personalise_definition(content["definition"], names),
                mode="form",
                media_url=media_url,
            ),
        },
    )
