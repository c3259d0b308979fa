from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from apps.pages.models import DynamicPage

pytestmark = pytest.mark.django_db

SHIPPING = """---
slug: help/shipping
title: Shipping
seo_title: "Shipping: times and costs"
meta_description: How fast we ship, and where.
canonical_url: https://example.com/help/shipping/
noindex: no
published: yes
publish_date: 2025-01-31T09:00:00+00:00
---
<h2>Delivery</h2>
<p onclick="x()">We ship <strong>fast</strong>. <a href="javascript:alert(1)">Track</a></p>
<script>alert(1)</script><iframe src="https://evil.example/"></iframe>
<p hx-post="/cart/">CKEditor <em>output</em></p>
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def run(folder: Path) -> str:
    out = StringIO()
    call_command("import_pages", str(folder), stdout=out, stderr=StringIO())
    return out.getvalue()


def test_import_creates_sanitised_pages_with_seo_fields(tmp_path, client):
    write(tmp_path, "help/shipping.html", SHIPPING)
    assert "1 created, 0 updated, 0 unchanged, 0 failed" in run(tmp_path)
    page = DynamicPage.objects.get(slug="help/shipping")
    assert page.title == "Shipping"
    assert page.seo_title == "Shipping: times and costs"
    assert page.meta_description == "How fast we ship, and where."
    assert page.canonical_url == "https://example.com/help/shipping/"
    assert page.noindex is False
    assert page.is_published is True
    assert page.published_at.isoformat() == "2025-01-31T09:00:00+00:00"
    for needle in ["<script", "onclick", "javascript:", "<iframe", "hx-post", "alert("]:
        assert needle not in page.body
    assert "<strong>fast</strong>" in page.body
    assert "<h2>Delivery</h2>" in page.body
    assert client.get("/help/shipping/").status_code == 200


def test_import_is_idempotent_and_updates_by_slug(tmp_path):
    write(tmp_path, "shipping.html", SHIPPING)
    run(tmp_path)
    first = DynamicPage.objects.get()
    assert "0 created, 0 updated, 1 unchanged" in run(tmp_path)
    assert DynamicPage.objects.get().updated_at == first.updated_at

    write(tmp_path, "shipping.html", SHIPPING.replace("title: Shipping", "title: Delivery"))
    assert "0 created, 1 updated, 0 unchanged" in run(tmp_path)
    page = DynamicPage.objects.get()
    assert page.pk == first.pk
    assert page.title == "Delivery"


def test_unpublished_by_default(tmp_path):
    write(tmp_path, "a.html", "---\nslug: about\ntitle: About\n---\n<p>Hi</p>")
    run(tmp_path)
    assert DynamicPage.objects.get().is_published is False


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("<p>no front matter</p>", "missing front matter"),
        ("---\nslug: x\ntitle: X\n<p>never closed</p>", "not closed"),
        ("---\ntitle: No slug\n---\n<p>x</p>", "slug is missing"),
        ("---\nslug: nameless\n---\n<p>x</p>", "title is missing"),
        ("---\nslug: cart/terms\ntitle: Clash\n---\n", "used by the shop itself"),
        ("---\nslug: Bad Slug!\ntitle: Bad\n---\n", "lowercase letters"),
        ("---\nslug: ok\ntitle: Ok\npublished: maybe\n---\n", "expected true or false"),
        ("---\nslug: ok\ntitle: Ok\npublish_date: soon\n---\n", "publish_date"),
        ("---\nslug: ok\ntitle: Ok\ncolour: red\n---\n", "line 4"),
        ("---\nslug: ok\ntitle: Ok\ncanonical_url: javascript:alert(1)\n---\n", "canonical_url"),
    ],
)
def test_bad_files_are_reported_and_skipped(tmp_path, text, message):
    write(tmp_path, "bad.html", text)
    write(tmp_path, "good.html", "---\nslug: good\ntitle: Good\n---\n<p>ok</p>")
    err = StringIO()
    with pytest.raises(CommandError, match="1 file"):
        call_command("import_pages", str(tmp_path), stdout=StringIO(), stderr=err)
    assert message in err.getvalue()
    assert list(DynamicPage.objects.values_list("slug", flat=True)) == ["good"]


def test_non_utf8_file_is_reported(tmp_path):
    (tmp_path / "latin.html").write_bytes(b"---\nslug: x\ntitle: caf\xe9\n---\n")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_pages", str(tmp_path), stdout=StringIO(), stderr=err)
    assert "not UTF-8" in err.getvalue()


def test_missing_folder_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="is not a folder"):
        call_command("import_pages", str(tmp_path / "nope"))
