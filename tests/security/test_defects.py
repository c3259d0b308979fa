"""Regression tests for the defects this suite found, each named after what a user would see."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import PASSWORD

from .conftest import client_for
from .test_fuzz import database_writes

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["anonymous", "shopper_a"])
def test_login_answers_put_with_405(world, role):
    """LoginView (a FormView) handled PUT like POST for visitors (200, the form again) and
    redirected signed-in users before any method check (302): neither said 405."""
    client = client_for(world, role)
    response = client.put(
        "/accounts/login/",
        f"username=shopper-a&password={PASSWORD}",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 405
    if role == "anonymous":
        assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("path", ["/sitemap.xml", "/sitemap-pages.xml"])
def test_sitemaps_refuse_post(world, path):
    assert Client().post(path).status_code == 405


def test_coupon_code_with_nul_byte_is_refused_not_a_500(world):
    client = client_for(world, "shopper_a")
    before = database_writes()
    response = client.post("/checkout/coupon/", {"code": "SAVE\x0010"})
    assert response.status_code == 302
    assert database_writes() == before


def test_order_number_with_nul_byte_is_a_404(world):
    assert client_for(world, "shopper_a").get("/checkout/orders/HS-%00/").status_code == 404
