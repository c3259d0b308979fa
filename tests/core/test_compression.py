"""Pages and htmx fragments go out gzip-compressed to clients that accept it (GZipMiddleware, near
the top of MIDDLEWARE so it compresses what every other middleware wrote), and plain to the rest."""

from __future__ import annotations

import gzip

import pytest
from django.conf import settings

from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db

GZIP = {"Accept-Encoding": "gzip, deflate, br"}
HX = {"HX-Request": "true"}


@pytest.fixture
def catalog():
    for n in range(30):
        ProductFactory(name=f"Wool rug {n}")


def test_catalog_is_gzipped_for_clients_that_accept_it(client, catalog):
    plain = client.get("/catalog/")
    packed = client.get("/catalog/", headers=GZIP)
    assert plain.status_code == packed.status_code == 200
    assert "Content-Encoding" not in plain and plain.content.startswith(b"<!doctype html>")
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]  # caches keep the two apart
    html = gzip.decompress(packed.content)
    assert html.startswith(b"<!doctype html>") and b"Wool rug 29" in html
    assert len(packed.content) * 4 < len(plain.content), (len(packed.content), len(plain.content))


def test_htmx_fragments_with_out_of_band_messages_are_compressed_whole(client, catalog):
    """The messages middleware appends its out-of-band partial before the body is compressed."""
    product = ProductFactory(name="Brass lamp")
    response = client.post(
        "/cart/add/", {"product_id": product.pk, "quantity": 1}, headers={**HX, **GZIP}
    )
    assert response.status_code == 200 and response["Content-Encoding"] == "gzip"
    fragment = gzip.decompress(response.content).decode()
    assert "<!doctype" not in fragment
    assert 'id="messages"' in fragment and 'data-hx-swap-oob="innerHTML"' in fragment
    assert 'id="cart-badge"' in fragment


def test_gzip_runs_after_whitenoise_and_before_everything_that_writes_the_body():
    order = settings.MIDDLEWARE
    gzip_at = order.index("django.middleware.gzip.GZipMiddleware")
    assert order.index("whitenoise.middleware.WhiteNoiseMiddleware") < gzip_at
    assert gzip_at < order.index("apps.core.middleware.HtmxMessagesMiddleware")
    assert gzip_at < order.index("django.middleware.csp.ContentSecurityPolicyMiddleware")
