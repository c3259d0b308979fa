"""Regression tests for the defects this suite found, each named after what a user would see."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import PASSWORD, ProductFactory

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


def test_layout_content_cannot_harvest_a_visitors_csrf_token(db):
    """Layout renders used a fixed, public placeholder for the CSRF slot: a block containing it
    (here in a link, as a marketer or an imported page could write it) got every visitor's token
    written into it. Slots are now random markers made per render, which no content can hold."""
    import re

    from tests.layout.factories import grid_skus, publish_home, rich

    product = ProductFactory()
    link = '<p><a href="https://evil.example/?t=__hypershop_csrf_token__">Win</a></p>'
    publish_home(("main", rich(link)), ("main", grid_skus([product.sku])))
    for visitor in (Client(), Client()):
        visitor.get("/")  # warm: the second visitor is served the cached render
        page = visitor.get("/").content.decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        assert "t=__hypershop_csrf_token__" in page  # the content is shown as written
        assert token not in page.split("evil.example", 1)[1].split('"', 1)[0]
        assert not re.search(r"slot[0-9a-f]{32}", page)  # and every real slot was filled


def test_the_500_page_never_reads_the_request(rf):
    """Django's own 500 view re-ran the CSRF check, which reads the body: a body that could not
    be parsed raised again inside the error page, and the server answered with its bare 500."""
    from apps.core.errors import bad_request, server_error

    request = rf.post(
        "/cart/add/", b"a=1", content_type="application/x-www-form-urlencoded; charset=utf-7"
    )
    with pytest.raises(Exception):  # noqa: B017, PT011 - the body really cannot be read
        request.POST  # noqa: B018
    response = server_error(request)
    assert response.status_code == 500 and b"Something went wrong" in response.content
    response = bad_request(request)
    assert response.status_code == 400 and b"Bad request" in response.content
