"""Import pages written elsewhere: HTML files with a front matter header, sanitised on the way in.

    ---
    slug: help/shipping
    title: Shipping
    seo_title: Shipping and delivery times
    meta_description: How fast we ship, and where.
    canonical_url: https://example.com/help/shipping/
    noindex: false
    published: true
    publish_date: 2025-01-31T09:00:00+00:00
    ---
    <p>Body HTML (CKEditor output or anything else)</p>

Idempotent: a page is found by its slug and updated; an unchanged file changes nothing.
"""

from __future__ import annotations

from datetime import datetime, time
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from .models import DynamicPage, normalise_slug
from .sanitize import sanitize_html

TEXT_FIELDS = {"title", "seo_title", "meta_description", "canonical_url"}
BOOL_FIELDS = {"noindex": "noindex", "published": "is_published"}
KNOWN_KEYS = {"slug", "publish_date", *TEXT_FIELDS, *BOOL_FIELDS}
TRUE, FALSE = {"true", "yes", "on", "1"}, {"false", "no", "off", "0", ""}
MAX_FILE_BYTES = 2_000_000


class PageImportError(ValueError):
    """A file that cannot be imported, with a message a person can act on."""


def parse_front_matter(text: str) -> tuple[dict[str, str], str]:
    """Split `---` delimited `key: value` lines from the HTML body."""
    text = text.lstrip("\ufeff")
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        raise PageImportError("missing front matter (the file must start with a '---' line)")
    meta: dict[str, str] = {}
    for number, line in enumerate(lines[1:], start=2):
        stripped = line.strip()
        if stripped == "---":
            return meta, "".join(lines[number:])
        if not stripped or stripped.startswith("#"):
            continue
        key, sep, value = stripped.partition(":")
        key = key.strip().lower()
        if stripped.startswith("<"):
            break  # HTML before the closing '---'
        if not sep or key not in KNOWN_KEYS:
            known = ", ".join(sorted(KNOWN_KEYS))
            raise PageImportError(f"line {number}: expected 'key: value' with a key among {known}")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        meta[key] = value
    raise PageImportError("front matter is not closed by a '---' line")


def _bool(key: str, value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in TRUE:
        return True
    if lowered in FALSE:
        return False
    raise PageImportError(f"{key}: expected true or false, got {value!r}")


def _publish_date(value: str) -> datetime:
    moment = parse_datetime(value)
    if moment is None and (day := parse_date(value)):
        moment = datetime.combine(day, time.min)
    if moment is None:
        raise PageImportError(f"publish_date: not a date or date-time: {value!r}")
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def import_file(path: Path) -> str:
    """Create or update the page described by one file; returns 'created', 'updated' or
    'unchanged'. Raises PageImportError (nothing written) when the file is not acceptable."""
    if path.stat().st_size > MAX_FILE_BYTES:
        raise PageImportError(f"larger than {MAX_FILE_BYTES} bytes")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise PageImportError("not UTF-8 text") from exc
    meta, body = parse_front_matter(text)
    slug = normalise_slug(meta.get("slug", ""))
    if not slug:
        raise PageImportError("slug is missing from the front matter")
    if not meta.get("title"):
        raise PageImportError("title is missing from the front matter")

    values = {field: meta[field] for field in TEXT_FIELDS if field in meta}
    values |= {field: _bool(key, meta[key]) for key, field in BOOL_FIELDS.items() if key in meta}
    if "publish_date" in meta and meta["publish_date"]:
        values["published_at"] = _publish_date(meta["publish_date"])
    values["body"] = sanitize_html(body)

    with transaction.atomic():
        page = DynamicPage.objects.select_for_update().filter(slug=slug).first()
        created = page is None
        page = page or DynamicPage(slug=slug)
        changed = created or any(getattr(page, k) != v for k, v in values.items())
        if not changed:
            return "unchanged"
        for field, value in values.items():
            setattr(page, field, value)
        try:
            page.full_clean()
        except ValidationError as exc:
            problems = "; ".join(
                f"{field}: {' '.join(messages)}" for field, messages in exc.message_dict.items()
            )
            raise PageImportError(problems) from exc
        page.save()
    return "created" if created else "updated"
