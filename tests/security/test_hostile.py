"""Hostile requests the fuzzer's random values do not reach: malformed bodies and charsets, `next`
values of every shape, ids of draft and archived objects, other hosts in ALLOWED_HOSTS, and
values one longer than the database column they end up in (third-party models included).

Every case is built from the endpoint registry, so a new endpoint is covered the day it is added.
"""

from __future__ import annotations

import re
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.db import models
from django.test import Client, override_settings

from apps.catalog.models import Product
from tests.factories import ProductFactory

from .conftest import client_for
from .endpoints import ENDPOINTS, ROLES, Endpoint, acts
from .test_fuzz import database_writes
from .test_headers import header_problems

pytestmark = pytest.mark.django_db


def acting_role(endpoint: Endpoint) -> str:
    return next((role for role in ROLES if acts(endpoint, role)), "shopper_a")


POSTS = [e for e in ENDPOINTS if "POST" in e.methods and e.path is not None]

# --- Malformed bodies and charsets -------------------------------------------------------------

MALFORMED = {
    "utf-7": ("application/x-www-form-urlencoded; charset=utf-7", b"product_id=1&next=%2F"),
    "utf-16": ("application/x-www-form-urlencoded; charset=utf-16", "a=1".encode("utf-16")),
    "latin-1": ("application/x-www-form-urlencoded; charset=latin-1", b"q=caf\xe9"),
    "unknown charset": ("application/x-www-form-urlencoded; charset=klingon", b"a=1"),
    "invalid utf-8": ("application/x-www-form-urlencoded", b"a=\xff\xfe\xfd&b=%ff%00"),
    "multipart, no boundary": ("multipart/form-data", b"--x\r\n\r\n"),
    "multipart, broken": ("multipart/form-data; boundary=zz", b"--zz\r\nnonsense"),
    "multipart, bad charset": (
        "multipart/form-data; boundary=zz; charset=utf-7",
        b'--zz\r\nContent-Disposition: form-data; name="a"\r\n\r\n+AGE-\r\n--zz--\r\n',
    ),
    "json as form": ("application/x-www-form-urlencoded", b'{"items": [1, 2]}'),
    "form as json": ("application/json", b"a=1&b=2"),
    "empty type": ("", b"a=1"),
}
# Django refuses these bodies outright: every CSRF-protected POST must answer 400, as a page.
REFUSED_BODIES = ("utf-7", "utf-16", "latin-1", "multipart, no boundary")


@pytest.mark.parametrize("kind", list(MALFORMED))
@pytest.mark.parametrize(
    "endpoint", [*POSTS, Endpoint("", "public", path=lambda w: "/")], ids=lambda e: e.name
)
def test_malformed_bodies_are_a_400_page_never_a_500(world, endpoint: Endpoint, kind: str):
    content_type, body = MALFORMED[kind]
    for role in sorted({"anonymous", acting_role(endpoint)}):
        client = client_for(world, role, enforce_csrf=True, endpoint=endpoint)
        # A browser that has visited before holds a CSRF cookie: the check then reads the body.
        client.cookies["csrftoken"] = "a" * 32
        before = database_writes()
        response = client.generic("POST", endpoint.path(world), body, content_type=content_type)
        assert response.status_code < 500, (endpoint.name, kind, role, response.status_code)
        assert header_problems(response) == [], (endpoint.name, kind, role)
        if 400 <= response.status_code < 500:
            assert database_writes() == before, (endpoint.name, kind, role)
        if kind in REFUSED_BODIES and not endpoint.csrf_exempt:
            assert response.status_code == 400, (endpoint.name, kind, role)
            page = response.content.decode()
            assert "<html" in page and "Bad request" in page and "Traceback" not in page


# --- `next` -----------------------------------------------------------------------------------

HOSTILE_NEXT = [
    "foo",
    "home",
    "accounts:login",
    "wishlist:page",
    "cart",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "https://evil.example/",
    "http://evil.example",
    "//evil.example/",
    "///evil.example/",
    "/\\evil.example",
    "\\\\evil.example",
    "%2F%2Fevil.example",
    "/%2F/evil.example",
    "https:evil.example",
    "http://testserver@evil.example/",
    " //evil.example",
    "/cart/\r\nSet-Cookie: evil=1",
    "\x00/cart/",
    "/" + "a" * 5000,
]


def _redirects_locally(response) -> str | None:
    """What is wrong with where the response sends the browser, or None."""
    for header in ("Location", "HX-Redirect", "HX-Location"):
        target = response.get(header)
        if target is None:
            continue
        parts = urlsplit(target)
        if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
            return f"{header}: {target!r}"
        if "evil.example" in target or "\\" in target or "\n" in target:
            return f"{header}: {target!r}"
    return None


NEXT_ENDPOINTS = [e for e in ENDPOINTS if "next" in e.params and e.path is not None]


@pytest.mark.parametrize("value", HOSTILE_NEXT)
@pytest.mark.parametrize("endpoint", NEXT_ENDPOINTS, ids=lambda e: e.name)
def test_hostile_next_is_never_followed_nor_a_500(world, endpoint: Endpoint, value: str):
    role = acting_role(endpoint)
    for method in endpoint.methods:
        client = client_for(world, role, endpoint=endpoint)
        if method == "GET":
            response = client.get(endpoint.path(world), {"next": value})
        else:
            data = endpoint.data(world) if endpoint.data else {}
            response = client.post(endpoint.path(world), {**data, "next": value})
        assert response.status_code < 500, (endpoint.name, method, value)
        assert _redirects_locally(response) is None, (endpoint.name, method, value)
        assert "evil.example" not in response.content.decode(), (endpoint.name, method, value)


@pytest.mark.parametrize("value", HOSTILE_NEXT)
def test_login_and_logout_never_follow_a_hostile_next(world, value: str):
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": "shopper-a", "password": "x", "next": value}
    )
    assert response.status_code < 500 and "evil.example" not in response.content.decode()
    client = client_for(world, "shopper_a")
    response = client.post(f"/accounts/logout/?next={value[:200]}", {"next": value})
    assert response.status_code == 302 and _redirects_locally(response) is None


@pytest.mark.parametrize("value", ["foo", "accounts:login", "//evil.example/"])
def test_signup_with_a_bare_word_next_signs_the_shopper_in(world, value: str):
    client = Client()
    response = client.post(
        f"/accounts/signup/?next={value}",
        {
            "username": "nextcomer",
            "first_name": "Next",
            "email": "nextcomer@example.com",
            "password1": "a-long-enough-passphrase-42",
            "password2": "a-long-enough-passphrase-42",
            "next": value,
        },
    )
    assert response.status_code == 302 and response["Location"] == "/"
    assert "_auth_user_id" in client.session


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("/cart/", "/cart/"),
        ("/catalog/?colour=red&page=2", "/catalog/?colour=red&page=2"),
        ("http://testserver/wishlist/", "/wishlist/"),
    ],
)
def test_a_local_next_is_followed(world, value: str, expected: str):
    client = client_for(world, "shopper_a")
    response = client.post(f"/wishlist/items/{world.product.pk}/", {"saved": "1", "next": value})
    assert response.status_code == 302 and response["Location"] == expected


# --- Ids of inactive objects --------------------------------------------------------------------

SECRET_PRICE = Decimal("4321.57")


@pytest.fixture
def hidden_products(world) -> list[Product]:
    return [
        ProductFactory(
            name=f"UNRELEASED {status} teapot", current_price=SECRET_PRICE, status=status, stock=3
        )
        for status in (Product.Status.DRAFT, Product.Status.ARCHIVED)
    ]


def _ids_of(product: Product) -> list[str]:
    return [str(product.pk), product.slug, product.sku]


ID_ENDPOINTS = [
    e
    for e in ENDPOINTS
    if e.fuzz_path is not None or any(p.endswith("_id") or p == "items" for p in e.params)
]


@pytest.mark.parametrize("endpoint", ID_ENDPOINTS, ids=lambda e: e.name)
def test_ids_of_draft_and_archived_products_reveal_nothing(
    world, hidden_products, endpoint: Endpoint
):
    role = acting_role(endpoint)
    for product in hidden_products:
        for value in _ids_of(product):
            requests = []
            data = endpoint.data(world) if endpoint.data else {}
            if endpoint.fuzz_path is not None:
                requests.append((endpoint.fuzz_path(value), data))
            if endpoint.path is not None:
                for param in endpoint.params:
                    if param.endswith("_id"):
                        requests.append((endpoint.path(world), {**data, param: value}))
                    if param == "items":
                        item = {"productId": value, "priceSnapshot": "1.00"}
                        requests.append((endpoint.path(world), {"items": [item]}))
            for path, payload in requests:
                for headers in ({}, {"HX-Request": "true"}):
                    client = client_for(world, role, endpoint=endpoint)
                    for method in endpoint.methods:
                        if method == "GET":
                            response = client.get(path, headers=headers, follow=True)
                        else:
                            response = client.post(
                                path, **endpoint.body(payload), headers=headers, follow=True
                            )
                        seen = response.content.decode() + str(response.headers)
                        seen += client.get("/").content.decode()  # queued messages
                        assert response.status_code < 500, (endpoint.name, path, method)
                        assert "UNRELEASED" not in seen, (endpoint.name, path, method)
                        assert str(SECRET_PRICE) not in seen, (endpoint.name, path, method)


def test_a_saved_then_archived_product_can_still_be_removed(world, hidden_products):
    from apps.wishlist.models import WishlistItem

    archived = hidden_products[1]
    shopper = world.users["shopper_a"]
    WishlistItem.objects.create(user=shopper, product=archived, price_snapshot=Decimal("9.00"))
    client = client_for(world, "shopper_a")
    response = client.post(f"/wishlist/items/{archived.pk}/", {"saved": "0"})
    assert response.status_code == 302
    assert not WishlistItem.objects.filter(user=shopper, product=archived).exists()


# --- Other hosts in ALLOWED_HOSTS ------------------------------------------------------------

HOSTS = ["shop-a.example", "shop-b.example"]
GET_PAGES = [
    e
    for e in ENDPOINTS
    if e.path is not None and "GET" in e.methods and e.access not in ("internal",)
]


@override_settings(ALLOWED_HOSTS=[*HOSTS, "testserver"])
@pytest.mark.parametrize("endpoint", GET_PAGES, ids=lambda e: e.name)
def test_a_host_or_scheme_never_leaks_into_another_visitors_page(world, endpoint: Endpoint):
    """Everything cached for one visitor's Host and scheme stays theirs (canonical, og:url,
    JSON-LD, sitemap and robots hold absolute URLs)."""
    for role in ("anonymous", acting_role(endpoint)):
        path = endpoint.path(world)
        for first, then in ((HOSTS[0], HOSTS[1]), (HOSTS[1], HOSTS[0])):
            for secure in (True, False):
                client_for(world, role, endpoint=endpoint).get(path, HTTP_HOST=first, secure=secure)
                client_for(world, role, endpoint=endpoint).get(
                    path, HTTP_HOST=first, secure=secure, headers={"HX-Request": "true"}
                )
                for headers in ({}, {"HX-Request": "true"}):
                    response = client_for(world, role, endpoint=endpoint).get(
                        path, HTTP_HOST=then, secure=not secure, headers=headers
                    )
                    body = response.content.decode(errors="replace")
                    assert first not in body, (endpoint.name, role, first, then)
                    for url in re.findall(r"https?://" + re.escape(then) + r"[^\s\"'<]*", body):
                        assert url.startswith("https://" if not secure else "http://"), url


# --- Values one longer than their column, and 10,000 characters --------------------------------


def column_lengths(name: str | None = None) -> list[int]:
    """One more than the bounded text columns of every installed model (django-axes' too) that
    a field called `name` ends up in (a column of that name), or than every such column."""
    return sorted(
        {
            field.max_length + 1
            for model in apps.get_models()
            for field in model._meta.get_fields()
            if isinstance(field, models.CharField)
            and field.max_length
            and (name is None or field.name == name)
        }
    )


def test_column_lengths_include_third_party_models():
    from axes.models import AccessAttempt

    limit = AccessAttempt._meta.get_field("username").max_length + 1
    assert limit in column_lengths("username") and limit in column_lengths()


LONG_CASES = [
    pytest.param(endpoint, method, id=f"{endpoint.name}-{method}")
    for endpoint in ENDPOINTS
    if endpoint.params and endpoint.path is not None and not endpoint.json
    for method in endpoint.methods
    if method in ("GET", "POST")
]
# Besides the columns a field's name leads to: the most common column size (varchar(255)) and
# a value longer than any column.
ALWAYS = (256, 10_000)


@pytest.mark.parametrize(("endpoint", "method"), LONG_CASES)
def test_values_longer_than_their_column_are_refused_not_a_500(
    world, endpoint: Endpoint, method: str
):
    role = acting_role(endpoint)
    base = endpoint.data(world) if endpoint.data and method == "POST" else {}
    client = client_for(world, role, endpoint=endpoint)
    for param in endpoint.params:
        for length in sorted({*column_lengths(param), *ALWAYS}):
            value = ("x" * length) if param != "email" else ("x" * (length - 12) + "@example.com")
            before = database_writes()
            payload = {**base, param: value}
            if method == "GET":
                response = client.get(endpoint.path(world), payload)
            else:
                response = client.post(endpoint.path(world), payload)
            assert response.status_code < 500, (endpoint.name, method, param, length)
            if 400 <= response.status_code < 500:
                assert database_writes() == before, (endpoint.name, method, param, length)
