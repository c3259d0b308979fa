"""apps.core.csrf mints the same tokens Django's get_token does, and Django's middleware
accepts them."""

from __future__ import annotations

import re

import pytest
from django.middleware.csrf import (
    CSRF_ALLOWED_CHARS,
    CSRF_SECRET_LENGTH,
    CSRF_TOKEN_LENGTH,
    _unmask_cipher_token,
)
from django.test import Client, RequestFactory

from apps.core import csrf


def test_a_new_visitor_gets_a_new_secret_and_a_masked_token_of_it():
    request = RequestFactory().get("/")
    token = csrf.token(request)
    secret = request.META["CSRF_COOKIE"]
    assert request.META["CSRF_COOKIE_NEEDS_UPDATE"] is True
    assert len(secret) == CSRF_SECRET_LENGTH and set(secret) <= set(CSRF_ALLOWED_CHARS)
    assert len(token) == CSRF_TOKEN_LENGTH and set(token) <= set(CSRF_ALLOWED_CHARS)
    assert _unmask_cipher_token(token) == secret


def test_a_returning_visitor_keeps_their_secret_under_a_new_mask_each_time():
    request = RequestFactory().get("/")
    request.META["CSRF_COOKIE"] = secret = "a" * CSRF_SECRET_LENGTH
    tokens = {csrf.token(request) for _ in range(50)}
    assert len(tokens) == 50
    assert {_unmask_cipher_token(token) for token in tokens} == {secret}
    assert request.META["CSRF_COOKIE"] == secret


def test_every_character_is_drawn_from_the_whole_alphabet():
    seen = "".join(csrf._random(CSRF_SECRET_LENGTH) for _ in range(400))
    assert set(seen) == set(CSRF_ALLOWED_CHARS)
    # Uniform: each of the 62 characters about 12,800 / 62 = 206 times (far from 2x either way).
    counts = [seen.count(char) for char in CSRF_ALLOWED_CHARS]
    assert min(counts) > 120 and max(counts) < 320


@pytest.mark.django_db
def test_a_token_from_a_cached_page_passes_djangos_middleware(settings):
    from tests.catalog.factories import small_catalog

    catalog = small_catalog()
    product = catalog["products"]["P1"]
    Client().get("/catalog/")
    Client().get("/catalog/")  # stored
    visitor = Client(enforce_csrf_checks=True)
    page = visitor.get("/catalog/").text
    token = re.search(r'"x-csrftoken": "([^"]+)"', page).group(1)
    refused = visitor.post("/cart/add/", {"product_id": product.pk, "quantity": 1})
    assert refused.status_code == 403
    accepted = visitor.post(
        "/cart/add/", {"product_id": product.pk, "quantity": 1}, headers={"X-CSRFToken": token}
    )
    assert accepted.status_code == 302


@pytest.mark.django_db
def test_a_form_rendered_by_a_template_carries_a_token_minted_here_that_django_accepts(
    monkeypatch,
):
    """Templates read `csrf_token` from apps.core.context_processors.csrf (listed after Django's
    built-in processor, so it is the one read); Django's `get_token` is never called for it."""
    import django.middleware.csrf as django_csrf
    import django.template.context_processors as django_processors

    from apps.cart.models import CartLine
    from tests.catalog.factories import small_catalog

    def refuse(request):
        raise AssertionError("get_token was called")

    monkeypatch.setattr(django_csrf, "get_token", refuse)
    monkeypatch.setattr(django_processors, "get_token", refuse)
    product = small_catalog()["products"]["P1"]
    visitor = Client(enforce_csrf_checks=True)
    page = visitor.get("/accounts/login/").text  # not a cached page: rendered for this visitor
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    assert _unmask_cipher_token(token) == visitor.cookies["csrftoken"].value
    added = visitor.post("/cart/add/", {"product_id": product.pk, "csrfmiddlewaretoken": token})
    assert added.status_code == 302
    assert CartLine.objects.get().quantity == 1
