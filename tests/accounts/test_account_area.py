"""The account area: reachable from the header, orders with their timeline, deleting the account."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from apps.accounts.models import Address
from apps.accounts.selectors import ORDERS_PER_PAGE
from apps.checkout.models import Order
from apps.checkout.services import ANONYMISED_EMAIL, ANONYMISED_NAME
from apps.wishlist import services as wishlist_services
from apps.wishlist.models import WishlistItem
from tests.checkout.factories import staff_with_order_group
from tests.checkout.test_lifecycle import paid_order
from tests.factories import PASSWORD, ProductFactory, UserFactory

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_header_links_to_the_account_area():
    client = signed_in(UserFactory(first_name="Grace"))
    home = client.get("/").text
    assert f'href="{reverse("accounts:account")}"' in home
    page = client.get(reverse("accounts:account")).text
    for name in ("accounts:orders", "accounts:addresses", "wishlist:page"):
        assert f'href="{reverse(name)}"' in page


def test_account_pages_need_a_sign_in(client):
    for name in ("accounts:account", "accounts:orders", "accounts:addresses", "accounts:delete"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_details_form_validates_at_the_field():
    user = UserFactory(first_name="Grace")
    client = signed_in(user)
    response = client.post(reverse("accounts:account"), {"first_name": "", "last_name": "H"})
    assert response.status_code == 400 and 'id="id_first_name_error"' in response.text
    user.refresh_from_db()
    assert user.first_name == "Grace"
    assert client.post(reverse("accounts:account"), {"first_name": "Ada"}).status_code == 302
    user.refresh_from_db()
    assert user.first_name == "Ada"


def test_orders_page_shows_status_and_timeline_only_of_ones_own_orders():
    user = UserFactory()
    mine = paid_order(1, user=user)
    theirs = paid_order(1, user=UserFactory())
    page = signed_in(user).get(reverse("accounts:orders")).text
    assert mine.number in page and theirs.number not in page
    assert "Paid" in page
    assert 'data-kind="placed"' in page and 'data-kind="paid"' in page


@pytest.mark.parametrize("count", [1, ORDERS_PER_PAGE + 5])
def test_orders_page_query_budget(count, django_assert_num_queries):
    user = UserFactory()
    for _ in range(count):
        paid_order(1, user=user)
    client = signed_in(user)
    client.get(reverse("accounts:orders"))  # warm the session cache
    # The user, the count, the page of orders (with item counts), their timelines.
    with django_assert_num_queries(4):
        response = client.get(reverse("accounts:orders"))
    shown = min(count, ORDERS_PER_PAGE)
    assert response.text.count('data-testid="account-order"') == shown
    if count > ORDERS_PER_PAGE:
        second = client.get(reverse("accounts:orders") + "?page=2")
        assert second.text.count('data-testid="account-order"') == count - ORDERS_PER_PAGE


def test_orders_page_survives_a_hostile_page_number():
    client = signed_in(UserFactory())
    for value in ("-1", "x", "99999999999999999999", "1\x00"):
        assert client.get(reverse("accounts:orders"), {"page": value}).status_code == 200


def test_delete_account_needs_the_password_and_the_confirmation():
    user = UserFactory()
    client = signed_in(user)
    response = client.post(reverse("accounts:delete"), {"password": "wrong", "confirm": "on"})
    assert response.status_code == 400 and 'id="id_password_error"' in response.text
    response = client.post(reverse("accounts:delete"), {"password": PASSWORD})
    assert response.status_code == 400 and 'id="id_confirm_error"' in response.text
    assert get_user_model().objects.filter(pk=user.pk).exists()


def test_delete_account_removes_the_person_and_anonymises_orders():
    user = UserFactory(email="gone@example.com")
    order = paid_order(1, user=user)
    Address.objects.create(
        user=user,
        full_name="Gone",
        address_line1="1 Road",
        postal_code="10115",
        city="Berlin",
        country="DE",
    )
    wishlist_services.set_saved(user, ProductFactory().pk, True)
    client = signed_in(user)
    response = client.post(reverse("accounts:delete"), {"password": PASSWORD, "confirm": "on"})
    assert response.status_code == 302
    assert not get_user_model().objects.filter(pk=user.pk).exists()
    assert not Address.objects.exists() and not WishlistItem.objects.exists()
    order = Order.objects.get(pk=order.pk)
    assert (order.user_id, order.email, order.full_name) == (
        None,
        ANONYMISED_EMAIL,
        ANONYMISED_NAME,
    )
    assert order.address_line1 == order.city == order.postal_code == order.phone == ""
    assert order.lines.count() == 1 and order.total > 0  # the shop's record stays
    assert client.get(reverse("accounts:account")).status_code == 302  # signed out

    staff = signed_in(staff_with_order_group())
    admin_page = staff.get(reverse("admin:checkout_order_change", args=[order.pk])).text
    assert ANONYMISED_NAME in admin_page and "gone@example.com" not in admin_page
