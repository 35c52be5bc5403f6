"""Markdown to safe HTML for worksheet instructions.

Two layers, because instructions come from therapists and from imported worksheets, and
rendered HTML lands on client pages: markdown-it runs with raw HTML disabled (so ``<script>``
is shown as text), and nh3 then enforces an allow-list on whatever markdown produced.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Final

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

_ALLOWED_TAGS: Final = {
    "p",
    "br",
    "strong",
    "em",
    "s",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "hr",
    "h3",
    "h4",
    "h5",
    "h6",
    "a",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
_ALLOWED_ATTRIBUTES: Final = {"a": {"href", "title"}, "ol": {"start"}}
_LINK_SCHEMES: Final = {"http", "https", "mailto"}
_ABSOLUTE_LINK: Final = re.compile(r"(?i)(?:https?|mailto):")
# Instructions sit under a section (h2) and a field label; shifting headings by two keeps the
# page outline valid whatever level the author typed.
_HEADING_SHIFT: Final = 2


def render_markdown(text: str) -> str:
    """Sanitised HTML for ``text``; the caller may mark it safe."""
    tokens = _MARKDOWN.parse(text)
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(6, int(token.tag[1]) + _HEADING_SHIFT)}"
    html = _MARKDOWN.renderer.render(tokens, _MARKDOWN.options, {})
    return _CLEANER.clean(html)


def _image_as_alt_text(
    renderer: RendererHTML,
    tokens: Sequence[Token],
    index: int,
    options: OptionsDict,
    env: EnvType,
) -> str:
    """Images would load from wherever the author pointed (tracking the client); show their
    alt text instead."""
    return escapeHtml(renderer.renderInlineAsText(tokens[index].children or [], options, env))


def _keep_absolute_links(tag: str, attribute: str, value: str) -> str | None:
    """nh3 checks schemes but lets relative URLs through; only http(s) and mailto are
    allowed, so a link cannot point into the app itself."""
    if tag == "a" and attribute == "href" and not _ABSOLUTE_LINK.match(value):
        return None
    return value


def _build_markdown() -> MarkdownIt:
    markdown = MarkdownIt("commonmark", {"html": False, "breaks": True})
    markdown.enable(["table", "strikethrough"])
    markdown.add_render_rule("image", _image_as_alt_text)
    return markdown


_MARKDOWN: Final = _build_markdown()
_CLEANER: Final[Any] = nh3.Cleaner(
    tags=_ALLOWED_TAGS,
    attributes=_ALLOWED_ATTRIBUTES,
    attribute_filter=_keep_absolute_links,
    url_schemes=_LINK_SCHEMES,
    link_rel="noopener noreferrer nofollow",
)
