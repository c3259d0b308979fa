"""The address step with an address book: pick a saved address (htmx or not), or save a new one."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from apps.accounts.models import Address
from apps.checkout.session import CheckoutSession
from tests.checkout.factories import ADDRESS
from tests.factories import ProductFactory, UserFactory

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}


def shopper_with_cart(*addresses: dict) -> tuple[Client, object, list[Address]]:
    user = UserFactory(email="ada@example.com")
    saved = [Address.objects.create(user=user, **details) for details in addresses]
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    client.post("/cart/add/", {"product_id": ProductFactory().pk, "quantity": 1})
    return client, user, saved


HOME = {
    "full_name": "Ada Home",
    "address_line1": "1 Home Street",
    "postal_code": "10115",
    "city": "Berlin",
    "country": "DE",
    "is_default_shipping": True,
}
WORK = {
    "full_name": "Ada Work",
    "address_line1": "9 Office Road",
    "postal_code": "75001",
    "city": "Paris",
    "country": "FR",
}


def value_of(html: str, name: str) -> str:
    return re.search(rf'name="{name}"[^>]*value="([^"]*)"', html)[1]


def test_default_address_prefills_and_the_picker_lists_saved_addresses():
    client, _, (home, work) = shopper_with_cart(HOME, WORK)
    page = client.get("/checkout/address/").text
    assert 'data-testid="address-picker"' in page
    assert f'value="{home.pk}"' in page and f'value="{work.pk}"' in page
    assert value_of(page, "address_line1") == "1 Home Street"


def test_picking_without_javascript_fills_the_form_and_continues():
    client, _, (_, work) = shopper_with_cart(HOME, WORK)
    page = client.get("/checkout/address/", {"saved": work.pk}).text
    assert value_of(page, "address_line1") == "9 Office Road"
    assert value_of(page, "email") == "ada@example.com"
    form = {"email": "ada@example.com", **{k: v for k, v in WORK.items()}}
    assert client.post("/checkout/address/", form)["Location"] == "/checkout/shipping/"
    state = CheckoutSession.load(client.session)
    assert state.address["city"] == "Paris" and "save_address" not in state.address


def test_picking_with_htmx_swaps_only_the_step_form():
    client, _, (_, work) = shopper_with_cart(HOME, WORK)
    response = client.get(reverse("checkout:saved_address"), {"saved": work.pk}, headers=HX)
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="step_form">')
    assert "<html" not in response.text
    assert value_of(response.text, "address_line1") == "9 Office Road"
    assert f'value="{work.pk}" checked' in response.text


@pytest.mark.parametrize("count", [1, 30])
def test_address_picker_query_budget(count, django_assert_num_queries):
    client, user, _ = shopper_with_cart(*[HOME] + [WORK] * (count - 1))
    last = Address.objects.filter(user=user).last()
    client.get(reverse("checkout:saved_address"))  # warm the session cache
    with django_assert_num_queries(2):  # the user, their addresses
        response = client.get(reverse("checkout:saved_address"), {"saved": last.pk}, headers=HX)
    assert response.text.count('name="saved"') == count


def test_a_new_address_can_be_saved_to_the_book():
    client, user, _ = shopper_with_cart()
    page = client.get("/checkout/address/").text
    assert 'data-testid="address-picker"' not in page and 'name="save_address"' in page
    response = client.post("/checkout/address/", {**ADDRESS, "save_address": "on"})
    assert response["Location"] == "/checkout/shipping/"
    saved = Address.objects.get(user=user)
    assert saved.address_line1 == ADDRESS["address_line1"] and saved.is_default_shipping
    client.post("/checkout/address/", {**ADDRESS, "city": "Munich"})  # not ticked: not saved
    assert Address.objects.filter(user=user).count() == 1


def test_guests_get_no_picker_and_no_save_choice(client):
    client.post("/cart/add/", {"product_id": ProductFactory().pk, "quantity": 1})
    page = client.get("/checkout/address/").text
    assert 'name="save_address"' not in page
    assert client.get(reverse("checkout:saved_address"))["Location"].startswith("/accounts/login/")


def test_hostile_saved_ids_are_404s():
    client, _, _ = shopper_with_cart(HOME)
    for value in ("x", "-1", "99999999999999999999", "1\x00"):
        assert client.get("/checkout/address/", {"saved": value}).status_code == 404
        assert client.get(reverse("checkout:saved_address"), {"saved": value}).status_code == 404
