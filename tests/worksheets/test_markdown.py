"""Markdown rendering must never let script, handlers or foreign resources through."""

import pytest

from worksheets import render_markdown

REL = 'rel="noopener noreferrer nofollow"'


def test_formatting_survives():
    html = render_markdown("Some **bold**, *em* and `code`.\n\n- one\n- two\n\n1. first")
    assert "<strong>bold</strong>" in html
    assert "<em>em</em>" in html
    assert "<code>code</code>" in html
    assert "<ul>\n<li>one</li>" in html
    assert "<ol>\n<li>first</li>" in html


def test_returns_a_plain_str():
    assert type(render_markdown("hi")) is str


def test_single_newlines_are_line_breaks():
    assert render_markdown("line one\nline two") == "<p>line one<br>\nline two</p>\n"


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "Hello <script>alert(1)</script> there",
        '<img src="x" onerror="alert(1)">',
        '<a href="https://example.org" onclick="alert(1)">x</a>',
        "<iframe src=https://evil.example></iframe>",
        '<div style="position:fixed">overlay</div>',
    ],
)
def test_raw_html_is_escaped_not_rendered(text):
    html = render_markdown(text)
    assert html.startswith("<p>")
    assert "&lt;" in html
    assert "<" not in html.removeprefix("<p>").removesuffix("</p>\n")


def test_script_shows_as_text():
    assert render_markdown("<script>alert(1)</script>") == (
        "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n"
    )


@pytest.mark.parametrize(
    "target",
    [
        "javascript:alert(1)",
        "JAVASCRIPT:alert(1)",
        "java\tscript:alert(1)",
        "vbscript:msgbox(1)",
        "data:text/html,<script>alert(1)</script>",
        "/admin/delete",
        "//evil.example/x",
    ],
)
def test_dangerous_and_relative_links_lose_their_target(target):
    assert "href" not in render_markdown(f"[click]({target})")


def test_safe_links_get_rel():
    html = render_markdown("[site](https://example.org) and [mail](mailto:help@example.org)")
    assert f'<a href="https://example.org" {REL}>site</a>' in html
    assert f'<a href="mailto:help@example.org" {REL}>mail</a>' in html


def test_autolinks_get_rel():
    assert f'<a href="http://example.org" {REL}>' in render_markdown("<http://example.org>")


def test_link_title_is_kept_and_escaped():
    html = render_markdown('[x](https://example.org "a \\"title\\" <b>")')
    assert 'title="a &quot;title&quot; &lt;b&gt;"' in html


def test_images_show_their_alt_text_only():
    html = render_markdown("![a *calm* lake](https://tracker.example/pixel.png)")
    assert html == "<p>a calm lake</p>\n"


def test_image_alt_text_is_escaped():
    html = render_markdown("![<script>x</script>](https://example.org/a.png)")
    assert "<script" not in html


def test_headings_sit_below_the_page_outline():
    html = render_markdown("# Title\n\n## Sub\n\n##### Deep")
    assert "<h3>Title</h3>" in html
    assert "<h4>Sub</h4>" in html
    assert "<h6>Deep</h6>" in html
    assert "<h1" not in html


def test_tables_render_without_inline_styles():
    html = render_markdown("| a | b |\n|--:|---|\n| 1 | 2 |")
    assert "<table>" in html
    assert "<td>1</td>" in html
    assert "style" not in html
