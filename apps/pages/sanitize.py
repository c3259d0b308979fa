"""Server-side HTML sanitising for CMS bodies (nh3 allow-list).

The prose editor only produces the tags listed in `EDITOR_EXTENSIONS`; the allow-list here is the
same set, so what a marketer sees in the editor survives and anything else (pasted HTML, imported
CKEditor output, a hand-crafted POST) is stripped. It runs on save and again on render, so a row
written by some other path (raw SQL, a fixture, an older allow-list) is still safe to show.
"""

from __future__ import annotations

import nh3

# django-prose-editor extensions offered in the admin. Each one maps to tags in ALLOWED_TAGS.
EDITOR_EXTENSIONS: dict = {
    "Bold": True,
    "Italic": True,
    "Strike": True,
    "Underline": True,
    "Heading": {"levels": [2, 3, 4]},
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Blockquote": True,
    "HardBreak": True,
    "HorizontalRule": True,
    "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto"]},
}

ALLOWED_TAGS: set[str] = {
    "p", "br", "strong", "b", "em", "i", "s", "u", "h2", "h3", "h4",
    "ul", "ol", "li", "blockquote", "hr", "a",
}  # fmt: skip
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {"a": {"href", "title"}, "ol": {"start", "type"}}
URL_SCHEMES: set[str] = {"http", "https", "mailto"}
# Dropped together with their content, not just unwrapped.
CLEAN_CONTENT_TAGS: set[str] = {"script", "style", "iframe", "object", "embed", "template"}

_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    url_schemes=URL_SCHEMES,
    clean_content_tags=CLEAN_CONTENT_TAGS,
    link_rel="noopener",
    strip_comments=True,
)


def sanitize_html(html: str | None) -> str:
    """Return `html` reduced to the allow-list; empty editor output becomes an empty string."""
    if not html:
        return ""
    cleaned = _cleaner.clean(str(html)).strip()
    return "" if cleaned in {"<p></p>", "<p><br></p>"} else cleaned
