"""The production setup without a browser: nginx serves collected static files and uploaded
media from disk, gunicorn (shop.settings.prod) answers the rest (issue: every /media/ URL was a
404 under production settings)."""

from __future__ import annotations

import gzip
import urllib.error
import urllib.request

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def fetch(url: str, **headers: str):
    try:
        request = urllib.request.Request(url, headers=headers)
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def test_nginx_serves_media_and_static_and_gunicorn_the_pages(production_server):
    url, media = production_server
    (media / "products").mkdir(exist_ok=True)
    (media / "products" / "pixel.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 32)

    status, headers, body = fetch(url + "/media/products/pixel.png")
    assert status == 200 and body.startswith(b"\x89PNG")
    assert headers["Content-Type"] == "image/png"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert fetch(url + "/media/products/missing.png")[0] == 404
    assert fetch(url + "/media/../gunicorn.log")[0] in (400, 404)

    status, headers, page = fetch(url + "/")
    assert status == 200 and "Content-Security-Policy" in headers  # from Django, through nginx
    [css] = [p.split('"')[0] for p in page.decode().split('<link rel="stylesheet" href="')[1:]]
    assert css.startswith("/static/css/site.") and css.endswith(".css")  # hashed by collectstatic
    status, headers, _ = fetch(url + css)
    assert status == 200 and "public, immutable" in headers.get_all("Cache-Control")
    assert fetch(url + "/favicon.ico")[0] == 200


def test_pages_and_static_text_go_out_gzipped_to_clients_that_accept_it(production_server):
    url, _ = production_server
    status, headers, page = fetch(url + "/catalog/", **{"Accept-Encoding": "gzip"})
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    html = gzip.decompress(page)
    assert html.startswith(b"<!doctype html>")
    assert len(page) * 2 < len(html), (len(page), len(html))  # an empty catalog: small anyway
    status, headers, plain = fetch(url + "/catalog/")
    assert status == 200 and "Content-Encoding" not in headers and plain.startswith(b"<!doctype")

    css = html.decode().split('<link rel="stylesheet" href="')[1].split('"')[0]
    status, headers, packed = fetch(url + css, **{"Accept-Encoding": "gzip"})
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    assert b"@charset" in gzip.decompress(packed)
