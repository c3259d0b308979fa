from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_home_page_has_shell(client):
    response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-hx-headers=\'{"x-csrftoken": "' in body
    assert "/static/js/htmx.min.js" in body
    assert '"selfRequestsOnly": true' in body and '"allowScriptTags": false' in body
    assert 'id="cart-badge"' in body and 'id="messages"' in body


def test_security_headers_present(client):
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in csp
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_unknown_url_is_a_404_page(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404


def test_healthz_answers(client):
    assert client.get("/healthz").content == b"ok"


@pytest.mark.parametrize(
    "url", ["/", "/catalog/", "/catalog/shoes/", "/products/{slug}/", "/cart/", "/accounts/login/"]
)
def test_a_head_request_is_answered_like_a_get_without_the_body(client, url):
    """Link checkers, uptime monitors and `curl -I` ask with HEAD: the shop's pages answer it
    (Django's require_safe) with the GET's status and headers; the server sends no body."""
    from tests.catalog.factories import small_catalog

    url = url.format(slug=small_catalog()["products"]["P1"].slug)
    got, head = client.get(url), client.head(url)
    assert got.status_code == head.status_code == 200
    assert head["Content-Type"] == got["Content-Type"] == "text/html; charset=utf-8"
    assert head.content == b""
    if "login" not in url:  # the login form takes a POST; the other pages still refuse one
        assert client.post(url).status_code == 405
