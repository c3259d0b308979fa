"""Every mutating endpoint refuses a POST without the CSRF token, htmx requests included."""

from __future__ import annotations

import pytest

from .conftest import client_for
from .endpoints import ENDPOINTS, Endpoint
from .test_fuzz import database_writes

pytestmark = pytest.mark.django_db

CASES = [
    pytest.param(endpoint, htmx, id=f"{endpoint.route}-{'htmx' if htmx else 'form'}")
    for endpoint in ENDPOINTS
    if endpoint.mutates and "POST" in endpoint.methods and endpoint.path is not None
    for htmx in (False, True)
]


@pytest.mark.parametrize(("endpoint", "htmx"), CASES)
def test_post_without_csrf_token_is_refused(world, endpoint: Endpoint, htmx: bool):
    role = "staff_perm" if endpoint.access.startswith("staff:") else "shopper_a"
    client = client_for(world, role, enforce_csrf=True)
    headers = {"HX-Request": "true"} if htmx else {}
    before = database_writes()
    response = client.post(endpoint.path(world), {p: "1" for p in endpoint.params}, headers=headers)
    assert response.status_code == 403
    assert database_writes() == before
