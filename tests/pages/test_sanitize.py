from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.db import connection

from apps.pages.sanitize import sanitize_html
from tests.factories import StaffFactory

from .factories import PageFactory

pytestmark = pytest.mark.django_db

HOSTILE = (
    '<p hx-get="/cart/" hx-trigger="load" onclick="steal()">Hi <strong>there</strong></p>'
    '<p data-hx-post="/cart/" data-hx-trigger="load">htmx reads these too</p>'
    "<script>alert('x')</script>"
    '<img src="x" onerror="alert(1)">'
    '<a href="javascript:alert(1)">js</a>'
    '<a href="JaVaScRiPt:alert(2)">js2</a>'
    '<a href="data:text/html,boom">data</a>'
    '<iframe src="https://evil.example/">framed</iframe>'
    '<a href="https://example.com/ok" target="_blank">ok</a>'
    '<a href="mailto:help@example.com">mail</a>'
    '<a href="/help/shipping/">internal</a>'
)
FORBIDDEN = ["<script", "alert(", "onerror", "onclick", "javascript:", "hx-", "<iframe", "framed",
             "data:", "<img", "target="]  # fmt: skip


def assert_clean(html: str) -> None:
    lowered = html.lower()
    for needle in FORBIDDEN:
        assert needle not in lowered, f"{needle!r} survived in {html!r}"


def test_sanitizer_keeps_formatting_and_safe_links():
    cleaned = sanitize_html(HOSTILE)
    assert_clean(cleaned)
    assert "<strong>there</strong>" in cleaned
    assert 'href="https://example.com/ok"' in cleaned
    assert 'href="mailto:help@example.com"' in cleaned
    assert 'href="/help/shipping/"' in cleaned


def test_stored_body_is_sanitised_on_save():
    page = PageFactory(body=HOSTILE)
    page.refresh_from_db()
    assert_clean(page.body)
    assert "<strong>there</strong>" in page.body


def test_rendered_body_is_sanitised_even_if_the_row_was_written_around_the_model(client):
    page = PageFactory(slug="about")
    with connection.cursor() as cursor:  # a row written by raw SQL skips save()
        cursor.execute("UPDATE pages_dynamicpage SET body = %s WHERE id = %s", [HOSTILE, page.pk])
    response = client.get("/about/")
    assert response.status_code == 200
    body = response.content.decode().split('class="cms-body">', 1)[1].split("</div>", 1)[0]
    assert_clean(body)
    assert "<strong>there</strong>" in body


def test_admin_form_stores_sanitised_body(client):
    staff = StaffFactory()
    staff.user_permissions.add(*Permission.objects.filter(content_type__app_label="pages"))
    client.force_login(staff)
    response = client.post(
        "/admin/pages/dynamicpage/add/",
        {
            "title": "Evil",
            "slug": "evil",
            "body": HOSTILE,
            "seo_title": "",
            "meta_description": "",
            "canonical_url": "",
            "published_at_0": "",
            "published_at_1": "",
        },  # fmt: skip
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    from apps.pages.models import DynamicPage

    stored = DynamicPage.objects.get(slug="evil").body
    assert_clean(stored)
    assert "<strong>there</strong>" in stored


def test_empty_editor_output_is_stored_empty():
    assert PageFactory(body="<p></p>").body == ""


def test_editor_output_survives_the_allow_list():
    """The editor offers nothing the sanitiser would strip (rel is replaced by rel=noopener)."""
    from django_prose_editor.config import allowlist_from_extensions, expand_extensions

    from apps.pages.sanitize import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, EDITOR_EXTENSIONS, URL_SCHEMES

    editor = allowlist_from_extensions(expand_extensions(EDITOR_EXTENSIONS))
    assert editor["tags"] <= ALLOWED_TAGS
    assert editor["url_schemes"] == URL_SCHEMES
    for tag, attributes in editor["attributes"].items():
        assert attributes - {"rel", "data-type"} <= ALLOWED_ATTRIBUTES.get(tag, set()), tag
    html = (
        "<h2>Title</h2><p>A <strong>b</strong> <em>i</em> <u>u</u> <s>s</s><br>"
        '<a href="https://example.com/" title="t">l</a></p><ul><li>x</li></ul>'
        '<ol start="3" type="a"><li>y</li></ol><blockquote><p>q</p></blockquote><hr>'
    )
    assert sanitize_html(html) == html.replace('title="t">', 'title="t" rel="noopener">')
