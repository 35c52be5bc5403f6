"""The rendering core: the URL fetcher's allow-list, fonts, the content hash and paper rows.

These render real PDFs with WeasyPrint and read them back with poppler (pdftotext, pdftoppm)
and pypdf; nothing is mocked.
"""

import json
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from reports.pdf import (
    BASE_URL,
    PdfFetcher,
    RefusedURL,
    content_hash,
    for_paper,
    html_to_pdf,
    render_pdf,
    static_path,
)
from tests.reports.conftest import pdf_reader, pdf_text

SEED = Path(settings.BASE_DIR) / "library" / "seed" / "activities"
BRANDING = {"practice_name": "Alpha Practice", "logo": None, "confidentiality": "Private."}


def blank_source(slug="thought-record", **overrides):
    content = json.loads((SEED / f"{slug}.json").read_text())
    source = {
        "title": content["title"],
        "summary": content["summary"],
        "kind_label": "Worksheet",
        "estimated_minutes": content["estimated_minutes"],
        "rationale": content["rationale"],
        "instructions": content["instructions"],
        "personal_message": "",
        "plan": None,
        "client_name": "",
        "multiple_entries": False,
        "definition": for_paper(content["definition"]),
        "branding": BRANDING,
    }
    return source | overrides


def allowed(url: str) -> bool:
    """What the fetcher may hand out: our own static files and registered resources."""
    return url.startswith((BASE_URL + "static/", BASE_URL + "resource/"))


# --- The fetcher's allow-list ---------------------------------------------------------------


def test_static_files_resolve_through_the_staticfiles_finders():
    path = static_path(BASE_URL + "static/css/print.css")
    assert path == Path(settings.BASE_DIR) / "static" / "css" / "print.css"


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://127.0.0.1:6379/",
        "https://example.com/x.png",
        "data:image/png;base64,iVBORw0KGgo=",
        BASE_URL + "static/../../etc/passwd",
        BASE_URL + "static/%2e%2e/%2e%2e/etc/passwd",
        BASE_URL + "static/css/../../../homework_platform/settings.py",
        BASE_URL + "static/vendor/htmx-2.0.11.min.js",  # not a type a PDF needs
        BASE_URL + "media/reports/anything.pdf",
        BASE_URL + "resource/logo",  # not registered for this render
        "https://pdf.bridgework.invalid.example.com/static/css/print.css",
    ],
)
def test_the_fetcher_refuses_everything_else(url):
    fetcher = PdfFetcher()
    with pytest.raises(RefusedURL):
        fetcher.fetch(url)
    assert fetcher.refused == [url]


def test_a_registered_resource_is_handed_out_as_given():
    fetcher = PdfFetcher({"logo": (b"\x89PNG...", "image/png")})
    response = fetcher.fetch(BASE_URL + "resource/logo")
    assert response.read() == b"\x89PNG..."
    assert response.content_type == "image/png"


HOSTILE_HTML = """<!DOCTYPE html><html><head>
<link rel="stylesheet" href="/static/css/print.css">
<link rel="stylesheet" href="file:///etc/passwd">
<link rel="attachment" href="file:///etc/passwd" title="passwd">
<style>@import url(http://127.0.0.1/x.css);
body { background: url(http://127.0.0.1:6379/); }</style>
</head><body>
<h1>Hostile</h1>
<img src="http://example.com/x.png" alt="">
<img src="file:///etc/hostname" alt="">
<img src="data:image/svg+xml,%3Csvg%20xmlns='http://www.w3.org/2000/svg'/%3E" alt="">
<a rel="attachment" href="file:///etc/passwd">passwd</a>
<object data="http://127.0.0.1:6379/"></object>
<iframe src="file:///etc/passwd"></iframe>
<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">
  <image href="http://127.0.0.1:6379/" width="10" height="10"/>
</svg>
</body></html>"""


def test_raw_hostile_html_fetches_nothing_outside_the_allow_list():
    """Even markup that our templates never produce cannot reach the disk or the network:
    every URL WeasyPrint asked for was refused, except our own stylesheet."""
    rendered = html_to_pdf(HOSTILE_HTML)

    assert BASE_URL + "static/css/print.css" in rendered.fetched
    outside = [url for url in rendered.fetched if not allowed(url)]
    assert outside, "the hostile URLs should have been asked for (and refused)"
    assert sorted(outside) == sorted(rendered.refused)
    for url in ("file:///etc/passwd", "http://127.0.0.1/x.css", "http://example.com/x.png"):
        assert url in rendered.refused
    assert_no_attachments(rendered.content)
    assert "root:" not in pdf_text(rendered.content)


def assert_no_attachments(content: bytes) -> None:
    reader = pdf_reader(content)
    names = reader.trailer["/Root"].get("/Names")
    assert names is None or "/EmbeddedFiles" not in names.get_object()
    assert reader.attachments == {}
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            assert annotation.get_object().get("/Subtype") != "/FileAttachment"


# --- Fonts and pictures -------------------------------------------------------------------


def test_accented_greek_cyrillic_and_japanese_text_survive(tmp_path):
    words = "Zoë, Łódź, Ελληνικά, Кириллица, 日本語"
    rendered = render_pdf("blank_worksheet", blank_source(title=words, client_name=words))
    text = pdf_text(rendered.content)
    for word in words.split(", "):
        assert word in text


def test_a_page_converts_to_a_png(tmp_path):
    """pdftoppm rasterises the first page: the PDF is a real, drawable document."""
    rendered = render_pdf("blank_worksheet", blank_source())
    pdf = tmp_path / "blank.pdf"
    pdf.write_bytes(rendered.content)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
        check=True,
    )
    png = next(tmp_path.glob("page*.png"))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png.stat().st_size > 5_000  # more than an empty page


def test_a_blank_worksheet_has_the_written_record_and_room_to_write():
    rendered = render_pdf("blank_worksheet", blank_source())
    text = pdf_text(rendered.content)
    assert "Thought record (7 columns)" in text
    assert "Why this helps" in text and "How to do it" in text
    assert "Writing them down slows things down" in text  # the rationale
    assert "What was happening?" in text  # a field label
    assert "Alpha Practice" in text  # the running header
    assert "Page 1 of" in text
    assert rendered.page_count >= 2
    assert rendered.refused == ()


# --- What decides reuse ---------------------------------------------------------------------


def test_the_content_hash_follows_the_data():
    source = blank_source()
    same = blank_source()
    changed = blank_source(title="Another title")
    assert content_hash("blank_worksheet", source) == content_hash("blank_worksheet", same)
    assert content_hash("blank_worksheet", source) != content_hash("blank_worksheet", changed)
    assert content_hash("blank_worksheet", source) != content_hash("response", source)
    assert len(content_hash("blank_worksheet", source)) == 64


def test_paper_tables_get_enough_rows():
    definition = json.loads((SEED / "activity-schedule.json").read_text())["definition"]
    slots = next(
        f for s in for_paper(definition)["sections"] for f in s["fields"] if f["id"] == "slots"
    )
    assert slots["initial_rows"] == 21  # seven days, three times a day
    thoughts = json.loads((SEED / "thought-record.json").read_text())["definition"]
    table = next(
        f for s in for_paper(thoughts)["sections"] for f in s["fields"] if f["type"] == "table"
    )
    assert table["initial_rows"] == 5
