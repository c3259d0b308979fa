"""Security headers on every declared GET endpoint, for a visitor and for the role it serves.

Redirects, 403s and 404s are responses too: the visitor's requests include those.
"""

from __future__ import annotations

import pytest

from .conftest import client_for
from .endpoints import ENDPOINTS, Endpoint

pytestmark = pytest.mark.django_db

REFERRER_POLICIES = {
    "no-referrer",
    "same-origin",
    "strict-origin",
    "strict-origin-when-cross-origin",
}


def csp_directives(header: str) -> dict[str, list[str]]:
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


def header_problems(response) -> list[str]:
    problems = []
    csp = response.get("Content-Security-Policy", "")
    directives = csp_directives(csp)
    scripts = directives.get("script-src", directives.get("default-src"))
    scripts = None if scripts is None else [s.lower() for s in scripts]
    if scripts is None:
        problems.append(f"no script-src/default-src in CSP {csp!r}")
    elif "'unsafe-inline'" in scripts or "'unsafe-eval'" in scripts or "*" in scripts:
        problems.append(f"script-src allows inline or eval: {scripts}")
    if directives.get("object-src") != ["'none'"]:
        problems.append("object-src is not 'none'")
    if response.get("X-Content-Type-Options", "").lower() != "nosniff":
        problems.append("X-Content-Type-Options is not nosniff")
    if response.get("Referrer-Policy", "").lower() not in REFERRER_POLICIES:
        problems.append(f"Referrer-Policy {response.get('Referrer-Policy')!r}")
    framing = response.get("X-Frame-Options", "").upper() in ("DENY", "SAMEORIGIN") or (
        directives.get("frame-ancestors") in (["'none'"], ["'self'"])
    )
    if not framing:
        problems.append("no frame protection (X-Frame-Options or frame-ancestors)")
    return problems


CASES = [
    pytest.param(endpoint, role, id=f"{endpoint.name}-{role}")
    for endpoint in ENDPOINTS
    if endpoint.path is not None and "GET" in endpoint.methods
    for role in (
        "anonymous",
        "staff_perm" if endpoint.access.startswith("staff:") else "shopper_a",
    )
]


@pytest.mark.parametrize(("endpoint", "role"), CASES)
def test_security_headers(world, endpoint: Endpoint, role: str):
    response = client_for(world, role, endpoint=endpoint).get(endpoint.path(world))
    assert not header_problems(response), (endpoint.name, role, response.status_code)


@pytest.mark.parametrize(
    ("path", "headers"),
    [("/catalog/", {"HX-Request": "true"}), ("/no-such-page-here/", {})],
    ids=["htmx-fragment", "404"],
)
def test_security_headers_on_fragments_and_errors(world, path, headers):
    response = client_for(world, "anonymous").get(path, headers=headers)
    assert not header_problems(response)


def test_the_header_check_can_fail():
    from django.http import HttpResponse

    bare = HttpResponse("x")
    assert len(header_problems(bare)) == 5
    loose = HttpResponse("x")
    loose["Content-Security-Policy"] = "default-src 'self'; script-src 'self' 'unsafe-inline'"
    assert "script-src allows inline or eval" in " ".join(header_problems(loose))


def test_pages_carry_a_script_nonce_that_matches_the_csp(world):
    """Scripts run through the nonce (htmx included), not through 'unsafe-inline'."""
    response = client_for(world, "anonymous").get("/")
    script_src = csp_directives(response["Content-Security-Policy"])["script-src"]
    nonces = [s for s in script_src if s.startswith("'nonce-")]
    assert len(nonces) == 1
    nonce = nonces[0].removeprefix("'nonce-").rstrip("'")
    body = response.content.decode()
    assert "htmx" in body and f'nonce="{nonce}"' in body
