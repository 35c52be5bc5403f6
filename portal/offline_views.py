"""The portal as an installable app that works without a signal: its web app manifest and its
service worker. Both are public (they hold no client data) and both live under /portal/, so
the worker's scope is the portal only: staff pages are never controlled or cached by it."""

import hashlib
import json
from functools import cache
from pathlib import Path

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

# What the portal needs to draw any page it has cached: kept by the worker on install.
APP_SHELL = (
    "css/app.css",
    "js/app.js",
    "js/worksheet.js",
    "js/outbox.js",
    "js/offline.js",
    "vendor/htmx-2.0.11.min.js",
    "img/favicon.svg",
    "img/app/icon-192.png",
)
THEME = "#1d6b66"  # --brand in app.css
BACKGROUND = "#f5f6f4"  # --bg in app.css


@require_GET
@cache_control(max_age=3600, public=True)
def manifest(request):
    icon = "img/app/icon-{}.png"
    data = {
        "name": "Bridgework",
        "short_name": "Bridgework",
        "description": "Your homework between sessions.",
        "id": reverse("portal:home"),
        "start_url": reverse("portal:home"),
        "scope": reverse("portal:home"),
        "display": "standalone",
        "theme_color": THEME,
        "background_color": BACKGROUND,
        "lang": "en",
        "icons": [
            {"src": static(icon.format(192)), "sizes": "192x192", "type": "image/png"},
            {"src": static(icon.format(512)), "sizes": "512x512", "type": "image/png"},
            {
                "src": static(icon.format("maskable-512")),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    return JsonResponse(data, content_type="application/manifest+json")


@cache
def _worker_source() -> str:
    return (Path(settings.BASE_DIR) / "static" / "js" / "sw.js").read_text()


@require_GET
def service_worker(request):
    """The worker script, with the app shell's (hashed, in production) addresses filled in.
    Its cache name carries a hash of those addresses and of the script, so a deploy that
    changes either replaces the old cache on the worker's next update."""
    shell = [static(name) for name in APP_SHELL]
    source = _worker_source()
    version = hashlib.sha256((source + "".join(shell)).encode()).hexdigest()[:12]
    body = source.replace("__SHELL__", json.dumps(shell)).replace("__VERSION__", version)
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    # Browsers re-check the worker at most daily anyway; never let a proxy hold an old one.
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = reverse("portal:home")
    return response
