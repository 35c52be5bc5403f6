"""HTML to PDF with WeasyPrint, and the content hash that decides when a PDF can be reused.

Everything a document shows comes from a *source*: a plain JSON-compatible dict gathered by
``reports.selectors`` inside the request (where access was checked). The worker renders the
source through the templates in ``templates/reports/``; nothing is fetched from the network
or the disk except the project's own static files (see ``PdfFetcher``).
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
import posixpath
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Final
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

# Relative URLs in the templates resolve against this origin. ".invalid" never resolves
# (RFC 2606), and nothing under it is fetched over a network: the fetcher answers itself.
BASE_URL: Final = "https://pdf.bridgework.invalid/"
STATIC_PREFIX: Final = "/static/"
RESOURCE_PREFIX: Final = "/resource/"
STATIC_TYPES: Final = frozenset({".css", ".png", ".jpg", ".jpeg", ".svg"})

TEMPLATES: Final = {
    "blank_worksheet": "reports/pdf/blank_worksheet.html",
    "response": "reports/pdf/response.html",
    "packet": "reports/pdf/packet.html",
    "session_summary": "reports/pdf/session_summary.html",
    "progress_report": "reports/pdf/progress_report.html",
    "client_export": "reports/pdf/client_export.html",
    "conversation_summary": "reports/pdf/conversation_summary.html",
}

_ROOT: Final = Path(settings.BASE_DIR)
# What the look of a PDF depends on besides its data: changing any of these files changes
# every content hash, so stale PDFs are rendered again instead of reused.
_FINGERPRINTED: Final = (
    _ROOT / "templates" / "reports",
    _ROOT / "templates" / "worksheets",
    _ROOT / "static" / "css" / "print.css",
    _ROOT / "reports" / "charts.py",
    _ROOT / "reports" / "pdf.py",
    _ROOT / "reports" / "templatetags",
    _ROOT / "assignments" / "worksheets" / "render.py",
)


# Blank tables on paper: half the rows the worksheet allows (a week planner of 42 slots gets
# 21: seven days, three times a day), at least 5, at most a page of them.
PAPER_MIN_ROWS: Final = 5
PAPER_MAX_ROWS: Final = 21


def for_paper(definition: dict) -> dict:
    """A copy of ``definition`` whose tables start with enough empty rows to fill in by hand
    (``initial_rows`` is how many empty rows the renderer shows)."""
    sections = []
    for section in definition.get("sections", []):
        fields = []
        for field in section.get("fields", []):
            if field.get("type") == "table":
                limit = field.get("max_rows", 50)
                wanted = max(
                    field.get("initial_rows", 1),
                    field.get("min_rows", 0),
                    PAPER_MIN_ROWS,
                    min(PAPER_MAX_ROWS, -(-limit // 2)),
                )
                field = {**field, "initial_rows": min(limit, wanted)}
            fields.append(field)
        sections.append({**section, "fields": fields})
    return {**definition, "sections": sections}


class RefusedURL(ValueError):
    """The PDF asked for something outside the allow-list."""


class PdfFetcher(URLFetcher):
    """WeasyPrint's only way out: the project's static files and in-memory resources.

    Every URL asked for is recorded in ``requested`` (and refused ones in ``refused``) so a
    test can prove nothing left the allow-list. Refused are: ``file:``, ``http(s):`` to
    anywhere, ``data:`` (the logo and charts need none: the logo is a registered resource,
    charts are inline SVG), and static paths that try to climb out with ``..``.
    """

    def __init__(self, resources: dict[str, tuple[bytes, str]] | None = None):
        super().__init__(allow_redirects=False)
        self.resources = {
            BASE_URL.rstrip("/") + RESOURCE_PREFIX + name: value
            for name, value in (resources or {}).items()
        }
        self.requested: list[str] = []
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        self.requested.append(url)
        if url in self.resources:
            body, content_type = self.resources[url]
            return URLFetcherResponse(url, body, {"Content-Type": content_type})
        path = static_path(url)
        if path is not None:
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})
        self.refused.append(url)
        raise RefusedURL(f"Refused to fetch {url[:200]!r} for a PDF.")


def static_path(url: str) -> Path | None:
    """The file on disk for one of our static assets at ``url``, or None."""
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}/" != BASE_URL or parts.query or parts.fragment:
        return None
    if not parts.path.startswith(STATIC_PREFIX):
        return None
    relative = unquote(parts.path[len(STATIC_PREFIX) :])
    if "\\" in relative or posixpath.normpath(relative) != relative or relative.startswith("."):
        return None
    return _find_static(relative)


@lru_cache(maxsize=64)
def _find_static(relative: str) -> Path | None:
    if Path(relative).suffix.lower() not in STATIC_TYPES:
        return None
    found = finders.find(relative)
    return Path(found) if found else None


@lru_cache(maxsize=1)
def template_fingerprint() -> str:
    """SHA-256 of every template, stylesheet and module that shapes a PDF."""
    digest = hashlib.sha256()
    for root in _FINGERPRINTED:
        files = sorted(root.rglob("*")) if root.is_dir() else [root]
        for path in files:
            if path.is_file() and path.suffix in {".html", ".css", ".py", ".svg"}:
                digest.update(str(path.relative_to(_ROOT)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def content_hash(kind: str, source: dict) -> str:
    """The key a PDF is kept under: same templates and same data give the same PDF."""
    payload = canonical_json({"kind": kind, "source": source, "templates": template_fingerprint()})
    return hashlib.sha256(payload.encode()).hexdigest()


@dataclass(frozen=True)
class RenderedPdf:
    content: bytes
    page_count: int
    fetched: tuple[str, ...]
    refused: tuple[str, ...]


def render_html(kind: str, source: dict) -> str:
    return render_to_string(TEMPLATES[kind], {"doc": source, "kind": kind})


@lru_cache(maxsize=1)
def print_stylesheet() -> CSS:
    """static/css/print.css, parsed once per process (through the fetcher, like any asset)."""
    return CSS(url=BASE_URL + "static/css/print.css", url_fetcher=PdfFetcher())


@lru_cache(maxsize=1)
def font_config() -> FontConfiguration:
    """One font configuration per process: a new one per render leaks native (Pango and
    fontconfig) memory, and reusing it keeps looked-up fonts warm. Renders in a process run
    one at a time (Celery's prefork worker), so it is never shared between threads."""
    return FontConfiguration()


def html_to_pdf(html: str, *, resources: dict[str, tuple[bytes, str]] | None = None) -> RenderedPdf:
    fetcher = PdfFetcher(resources)
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).render(
        stylesheets=[print_stylesheet()],
        font_config=font_config(),
        # Tagged PDF: headings, lists and tables keep their structure for screen readers.
        pdf_tags=True,
    )
    content = document.write_pdf(pdf_tags=True)
    return RenderedPdf(
        content=content,
        page_count=len(document.pages),
        fetched=tuple(fetcher.requested),
        refused=tuple(fetcher.refused),
    )


def render_pdf(kind: str, source: dict, *, resources=None) -> RenderedPdf:
    """The PDF for a source: pure, no database access, safe to call in a benchmark."""
    return html_to_pdf(render_html(kind, source), resources=resources)
