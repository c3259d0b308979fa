"""Access matrix: each endpoint x method x role gets the right status, changes only what that role
may change, and shows no one else's data (body or redirect target)."""

from __future__ import annotations

import pytest

from .conftest import client_for
from .endpoints import ENDPOINTS, ROLES, Endpoint, acts, may_see_private
from .test_fuzz import database_writes

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
OK = {"GET": (200,), "POST": (200, 302)}


def expected_statuses(endpoint: Endpoint, role: str, method: str = "GET") -> tuple[int, ...]:
    for key in (f"{method} {role}", role):
        if key in endpoint.expect:
            return endpoint.expect[key]
    ok = OK[method]
    access = endpoint.access
    if access == "public" or access == "session-owner":
        return ok
    if access == "authenticated":
        return (302,) if role == "anonymous" else ok
    if access == "owner":
        if role == "anonymous":
            return (302,)
        return ok if role == "shopper_a" else (404,)
    if access.startswith("staff:"):
        if role == "staff_perm":
            return ok
        if role == "staff_plain":
            return (403, 404)
        return (302, 403, 404)
    raise AssertionError(f"unknown access level {access!r} for {endpoint.name}")


def request(client, endpoint: Endpoint, world, method: str, **extra):
    path = endpoint.path(world)
    if method == "GET":
        return client.get(path, **extra)
    payload = endpoint.data(world) if endpoint.data else {}
    return client.post(path, **endpoint.body(payload), **extra)


CASES = [
    pytest.param(endpoint, method, role, id=f"{endpoint.name}-{method}-{role}")
    for endpoint in ENDPOINTS
    if endpoint.access != "internal" and endpoint.path is not None
    for method in endpoint.methods
    for role in ROLES
]


@pytest.mark.parametrize(("endpoint", "method", "role"), CASES)
def test_access(world, endpoint: Endpoint, method: str, role: str):
    client = client_for(world, role, endpoint=endpoint)
    before = database_writes()
    response = request(client, endpoint, world, method)
    label = f"{method} {endpoint.path(world)} as {role}"
    allowed = expected_statuses(endpoint, role, method)
    assert response.status_code in allowed, (
        f"{label}: {response.status_code}, expected one of {allowed}"
    )
    if (
        response.status_code == 302
        and role == "anonymous"
        and endpoint.access
        not in (
            "public",
            "session-owner",
        )
        and "anonymous" not in endpoint.expect
    ):
        assert response["Location"].startswith(LOGIN), (label, response["Location"])
    if endpoint.mutates and not acts(endpoint, role):
        assert database_writes() == before, f"{label} changed the database"
    if not may_see_private(endpoint, role):
        for secret in endpoint.secrets(world):
            assert secret not in response.content.decode(), f"{label} shows {secret!r}"
            assert secret not in response.get("Location", ""), f"{label} leads to {secret!r}"


@pytest.mark.parametrize(
    "endpoint",
    [e for e in ENDPOINTS if e.private_text and e.path is not None],
    ids=lambda e: e.name,
)
def test_private_text_is_there_for_whoever_may_see_it(world, endpoint: Endpoint):
    """The leak checks above can fail: the secret really is in the page of the one who may see it
    (for a POST, on the page it redirects to)."""
    seers = [role for role in ROLES if may_see_private(endpoint, role)]
    if not seers:  # private to nobody (drafts in the sitemap): the check is the absence itself
        assert endpoint.private_to == ()
        return
    client = client_for(world, seers[0], endpoint=endpoint)
    method = "GET" if "GET" in endpoint.methods else "POST"
    if method == "POST":
        response = request(client, endpoint, world, method, follow=True)
    else:
        response = request(client, endpoint, world, method)
    body = response.content.decode()
    where = body + " ".join(url for url, _ in getattr(response, "redirect_chain", []))
    for secret in endpoint.secrets(world):
        assert secret in where, f"{endpoint.name} as {seers[0]} does not show {secret!r}"


METHOD_CASES = [
    pytest.param(endpoint, method, id=f"{endpoint.name}-{method}")
    for endpoint in ENDPOINTS
    if endpoint.access != "internal" and endpoint.path is not None
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE")
    if method not in endpoint.methods
]


@pytest.mark.parametrize(("endpoint", "method"), METHOD_CASES)
def test_undeclared_methods_are_refused(world, endpoint: Endpoint, method: str):
    role = "staff_perm" if endpoint.access.startswith("staff:") else "shopper_a"
    client = client_for(world, role, endpoint=endpoint)
    before = database_writes()
    response = client.generic(method, endpoint.path(world))
    assert response.status_code == 405, f"{method} {endpoint.name}: {response.status_code}"
    assert database_writes() == before


@pytest.mark.parametrize("role", ["anonymous", "shopper_a"])
def test_declared_methods_refused_for_login_when_signed_in_too(world, role):
    """LoginView redirects signed-in users before looking at the method: PUT must still be 405."""
    response = client_for(world, role).generic("PUT", "/accounts/login/")
    assert response.status_code == 405


def test_admin_needs_staff(world):
    assert client_for(world, "anonymous").get("/admin/").status_code == 302
    assert client_for(world, "shopper_a").get("/admin/").status_code == 302
    assert client_for(world, "shopper_b").get("/admin/").status_code == 302
    assert client_for(world, "staff_plain").get("/admin/").status_code == 200
    assert client_for(world, "staff_perm").get("/admin/").status_code == 200
    # Staff without a model permission see the admin but not a model's list.
    assert client_for(world, "staff_plain").get("/admin/pages/dynamicpage/").status_code == 403
    assert client_for(world, "staff_perm").get("/admin/pages/dynamicpage/").status_code == 200
