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
