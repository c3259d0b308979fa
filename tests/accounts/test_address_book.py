"""The address book: add, edit, delete, defaults; another user's address is a 404 everywhere."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from apps.accounts.models import Address
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

DETAILS = {
    "full_name": "Ada Lovelace",
    "phone": "",
    "address_line1": "12 Analytical Way",
    "address_line2": "",
    "postal_code": "10115",
    "city": "Berlin",
    "country": "DE",
}


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def make(user, **changes) -> Address:
    return Address.objects.create(user=user, **{**DETAILS, **changes})


def test_add_edit_and_delete_an_address():
    user = UserFactory()
    client = signed_in(user)
    assert client.post(reverse("accounts:address_new"), DETAILS).status_code == 302
    address = Address.objects.get(user=user)
    assert address.is_default_shipping and address.is_default_billing  # the first one
    edit = reverse("accounts:address_edit", args=[address.pk])
    assert "12 Analytical Way" in client.get(edit).text
    assert client.post(edit, {**DETAILS, "city": "Hamburg"}).status_code == 302
    address.refresh_from_db()
    assert address.city == "Hamburg"
    delete = reverse("accounts:address_delete", args=[address.pk])
    assert client.post(delete).status_code == 302
    assert not Address.objects.exists()


def test_bad_input_is_a_400_tied_to_the_field_and_saves_nothing():
    client = signed_in(UserFactory())
    response = client.post(
        reverse("accounts:address_new"), {**DETAILS, "postal_code": "!!", "country": "XX"}
    )
    assert response.status_code == 400
    assert 'id="id_postal_code_error"' in response.text
    assert 'id="id_country_error"' in response.text
    assert not Address.objects.exists()


def test_one_default_per_kind():
    user = UserFactory()
    first, second = make(user, is_default_shipping=True, is_default_billing=True), make(user)
    client = signed_in(user)
    url = reverse("accounts:address_default", args=[second.pk])
    assert client.post(url, {"kind": "shipping"}).status_code == 302
    first.refresh_from_db(), second.refresh_from_db()
    assert (first.is_default_shipping, second.is_default_shipping) == (False, True)
    assert (first.is_default_billing, second.is_default_billing) == (True, False)
    assert client.post(url, {"kind": "billing"}).status_code == 302
    first.refresh_from_db(), second.refresh_from_db()
    assert (first.is_default_billing, second.is_default_billing) == (False, True)


def test_set_default_with_htmx_swaps_the_list_and_refuses_an_unknown_kind():
    user = UserFactory()
    address = make(user)
    client = signed_in(user)
    url = reverse("accounts:address_default", args=[address.pk])
    response = client.post(url, {"kind": "shipping"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="addresses">')
    assert 'data-testid="default-shipping"' in response.text
    bad = client.post(url, {"kind": "nonsense"}, headers={"HX-Request": "true"})
    assert bad.status_code == 400


def test_another_users_address_is_a_404_on_every_endpoint():
    owner, other = UserFactory(), UserFactory()
    address = make(owner, is_default_shipping=True)
    client = signed_in(other)
    make(other)  # the other user has addresses of their own
    pk = address.pk
    requests = [
        ("get", reverse("accounts:address_edit", args=[pk]), {}),
        ("post", reverse("accounts:address_edit", args=[pk]), DETAILS),
        ("post", reverse("accounts:address_delete", args=[pk]), {}),
        ("post", reverse("accounts:address_default", args=[pk]), {"kind": "shipping"}),
        ("get", reverse("checkout:saved_address"), {"saved": pk}),
    ]
    for method, url, data in requests:
        assert getattr(client, method)(url, data).status_code == 404, url
    address.refresh_from_db()
    assert address.city == "Berlin" and address.is_default_shipping
    assert Address.objects.filter(user=owner).count() == 1
