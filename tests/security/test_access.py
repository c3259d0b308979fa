"""Access matrix: each endpoint x each role gets the right status and no one else's data."""

from __future__ import annotations

import pytest

from .conftest import client_for
from .endpoints import ENDPOINTS, ROLES, Endpoint

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def expected_statuses(endpoint: Endpoint, role: str) -> tuple[int, ...]:
    if role in endpoint.expect:
        return endpoint.expect[role]
    access = endpoint.access
    if access == "public":
        return (200,)
    if access == "authenticated":
        return (302,) if role == "anonymous" else (200,)
    if access == "owner":
        if role == "anonymous":
            return (302,)
        return (200,) if role == "shopper_a" else (404,)
    if access.startswith("staff:"):
        if role == "staff_perm":
            return (200,)
        if role == "staff_plain":
            return (403, 404)
        return (302, 403, 404)
    raise AssertionError(f"unknown access level {access!r} for {endpoint.route}")


CASES = [
    pytest.param(endpoint, role, id=f"{endpoint.route or '/'}-{role}")
    for endpoint in ENDPOINTS
    if endpoint.access != "internal" and endpoint.path is not None
    for role in ROLES
]


@pytest.mark.parametrize(("endpoint", "role"), CASES)
def test_access(world, endpoint: Endpoint, role: str):
    client = client_for(world, role)
    path = endpoint.path(world)
    method = "get" if "GET" in endpoint.methods else "post"
    response = getattr(client, method)(path)
    allowed = expected_statuses(endpoint, role)
    if method == "post" and endpoint.access == "public":
        allowed = (*allowed, 302, 400)
    assert response.status_code in allowed, (
        f"{method.upper()} {path} as {role}: {response.status_code}, expected one of {allowed}"
    )
    if response.status_code == 302 and role == "anonymous" and endpoint.access != "public":
        assert response["Location"].startswith(LOGIN)
    if endpoint.private_text and response.status_code not in expected_statuses(
        endpoint, "staff_perm"
    ):
        assert endpoint.private_text(world) not in response.content.decode()


METHOD_CASES = [
    pytest.param(endpoint, method, id=f"{endpoint.route or '/'}-{method}")
    for endpoint in ENDPOINTS
    if endpoint.access != "internal" and endpoint.path is not None
    for method in ("GET", "POST", "PUT", "DELETE")
    if method not in endpoint.methods
]


@pytest.mark.parametrize(("endpoint", "method"), METHOD_CASES)
def test_undeclared_methods_are_refused(world, endpoint: Endpoint, method: str):
    role = "staff_perm" if endpoint.access.startswith("staff:") else "shopper_a"
    client = client_for(world, role)
    response = client.generic(method, endpoint.path(world))
    assert response.status_code in (403, 404, 405), (
        f"{method} {endpoint.route}: {response.status_code}"
    )


def test_admin_needs_staff(world):
    assert client_for(world, "anonymous").get("/admin/").status_code == 302
    assert client_for(world, "shopper_a").get("/admin/").status_code == 302
    assert client_for(world, "staff_perm").get("/admin/").status_code == 200
