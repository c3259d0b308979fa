"""Every coupon code that seeded content advertises exists and applies at checkout.

Seeds the way `make run` and docker-compose.yml do (seed_layout, then seed_coupons), reads every
string in the published layout blocks, and takes each code it finds through a real checkout.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client

from apps.checkout.models import Coupon, Order
from apps.layout.models import LayoutBlock
from tests.checkout.factories import ADDRESS, APPROVE
from tests.factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db

# "WELCOME10", "SUMMER-25": capitals with a digit, as codes are printed in banners and copy.
CODE_IN_TEXT = re.compile(r"\b[A-Z][A-Z0-9-]*\d[A-Z0-9-]*\b")


# Content that is not shown as copy: product SKUs a grid picks, link targets.
NOT_COPY = {"skus", "cta_url", "source"}


def strings(value):
    """Every piece of copy in a block's content."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key not in NOT_COPY:
                yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)
    elif isinstance(value, str):
        yield value


def advertised_codes() -> set[str]:
    codes = set()
    for block in LayoutBlock.objects.all():
        if code := block.content.get("coupon_code"):
            codes.add(code)
        for text in strings(block.content):
            codes.update(CODE_IN_TEXT.findall(text))
    return codes


def test_every_advertised_code_applies_at_checkout():
    category = CategoryFactory(name="Lamps", slug="lamps")
    product = ProductFactory(category=category, current_price=Decimal("40.00"), stock=20)
    call_command("seed_layout", verbosity=0)
    call_command("seed_coupons", verbosity=0)
    codes = advertised_codes()
    assert "WELCOME10" in codes  # the home banner's
    for code in sorted(codes):
        shopper = Client()
        shopper.post("/cart/add/", {"product_id": product.pk, "quantity": 1})
        shopper.post("/checkout/coupon/", {"code": code})
        cart = shopper.get("/cart/").content.decode()
        assert f"Coupon {code} applied." in cart, code
        email = f"{code.lower()}@example.com"
        assert shopper.post("/checkout/address/", {**ADDRESS, "email": email}).status_code == 302
        shopper.post("/checkout/shipping/", {"method": "standard"})
        shopper.post(
            "/checkout/payment/", {"card_number": APPROVE, "expiry": "12/40", "cvc": "123"}
        )
        review = shopper.get("/checkout/review/").content.decode()
        token = re.search(r'name="checkout_token" value="([^"]+)"', review)[1]
        total = re.search(r'name="expected_total" value="([^"]+)"', review)[1]
        shopper.post("/checkout/place/", {"checkout_token": token, "expected_total": total})
        order = Order.objects.get(email=email)
        assert order.coupon_code == code and order.discount_total == Decimal("4.00"), code


def test_seed_coupons_is_idempotent():
    call_command("seed_coupons", verbosity=0)
    call_command("seed_coupons", verbosity=0)
    assert Coupon.objects.filter(code="WELCOME10").count() == 1


def test_every_link_in_seeded_layout_copy_answers(client):
    """The seeded copy links to a CMS page (seed_pages publishes it) and the catalog."""
    CategoryFactory(name="Lamps", slug="lamps")
    call_command("seed_layout", verbosity=0)
    call_command("seed_pages", verbosity=0)
    call_command("seed_pages", verbosity=0)  # idempotent
    links = set()
    for block in LayoutBlock.objects.all():
        for text in strings(block.content):
            links.update(re.findall(r'href="([^"]+)"', text))
        if url := block.content.get("cta_url"):
            links.add(url)
    assert "/help/delivery/" in links
    for link in sorted(links):
        assert client.get(link).status_code == 200, link
