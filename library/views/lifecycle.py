"""One way to run a draft's lifecycle action (publish, retire, delete a draft) from a page,
for both libraries: the curator's global activities and a practice's own."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect


def run_lifecycle_action(
    request: HttpRequest,
    action: Callable[..., Any],
    *,
    target: dict[str, Any],
    success: str,
    edit_url: str,
    detail_url: str,
    list_url: str,
    url_kwargs: dict[str, Any],
) -> HttpResponse:
    """Call ``action(**target)``; a refusal goes back to the editor with the reason, a deleted
    draft (the action returns ``False``) to the list, anything else to the detail page."""
    try:
        result = action(**target)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(edit_url, **url_kwargs)
    if result is False:
        messages.success(request, "The draft was deleted.")
        return redirect(list_url)
    messages.success(request, success)
    return redirect(detail_url, **url_kwargs)
