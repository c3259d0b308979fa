"""Every mutating endpoint refuses a POST without the CSRF token, htmx requests included."""

from __future__ import annotations

import pytest

from .conftest import client_for
from .endpoints import ENDPOINTS, Endpoint
from .test_fuzz import database_writes

pytestmark = pytest.mark.django_db

CASES = [
    pytest.param(endpoint, htmx, id=f"{endpoint.name}-{'htmx' if htmx else 'form'}")
    for endpoint in ENDPOINTS
    if endpoint.mutates
    and "POST" in endpoint.methods
    and endpoint.path is not None
    and not endpoint.csrf_exempt
    for htmx in (False, True)
]


@pytest.mark.parametrize(("endpoint", "htmx"), CASES)
def test_post_without_csrf_token_is_refused(world, endpoint: Endpoint, htmx: bool):
    """With the owner's valid payload, so only the missing token can explain the refusal."""
    role = "staff_perm" if endpoint.access.startswith("staff:") else "shopper_a"
    client = client_for(world, role, enforce_csrf=True, endpoint=endpoint)
    headers = {"HX-Request": "true"} if htmx else {}
    payload = endpoint.data(world) if endpoint.data else {p: "1" for p in endpoint.params}
    before = database_writes()
    response = client.post(endpoint.path(world), **endpoint.body(payload), headers=headers)
    assert response.status_code == 403
    assert database_writes() == before


def test_the_csrf_check_can_fail(world):
    """The same request with the token goes through (so the 403 above is the token's doing)."""
    client = client_for(world, "shopper_a", enforce_csrf=True)
    client.get("/cart/")
    token = client.cookies["csrftoken"].value
    before = database_writes()
    response = client.post(
        "/cart/add/", {"product_id": str(world.product.pk)}, headers={"X-CSRFToken": token}
    )
    assert response.status_code == 302
    assert database_writes() > before


EXEMPT = [e for e in ENDPOINTS if e.csrf_exempt]


@pytest.mark.parametrize("endpoint", EXEMPT, ids=lambda e: e.name)
def test_csrf_exempt_endpoints_refuse_forged_requests_without_writing(world, endpoint: Endpoint):
    """Exempt on purpose (the reason is declared): a request without the signed token in the
    path, or with a tampered one, is a 4xx and changes nothing."""
    client = client_for(world, "anonymous", enforce_csrf=True)
    path = endpoint.path(world)
    tampered = path.rstrip("/")[:-2] + "xx/"
    before = database_writes()
    response = client.post(tampered, {})
    assert 400 <= response.status_code < 500
    assert database_writes() == before
