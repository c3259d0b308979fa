"""Filter URLs people share carry no empty parameters (`?q=&price_min=&price_max=`)."""

from __future__ import annotations

import pytest

from tests.factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}


def test_plain_form_submission_redirects_to_the_clean_url(client):
    ProductFactory()
    response = client.get("/catalog/?q=&sort=price_asc&price_min=&price_max=&per_page=24")
    assert response.status_code == 302
    assert response["Location"] == "/catalog/?sort=price_asc&per_page=24"
    assert client.get(response["Location"]).status_code == 200


def test_all_empty_parameters_redirect_to_the_bare_path(client):
    category = CategoryFactory(name="Lamps", slug="lamps")
    response = client.get(f"{category.get_absolute_url()}?q=&price_min=")
    assert response["Location"] == category.get_absolute_url()


def test_repeated_parameters_keep_their_filled_values(client):
    response = client.get("/catalog/?colour=red&colour=&colour=blue&q=")
    assert response["Location"] == "/catalog/?colour=red&colour=blue"


def test_clean_url_is_served_as_it_is(client):
    ProductFactory()
    response = client.get("/catalog/?sort=price_asc")
    assert response.status_code == 200
    assert "HX-Push-Url" not in response


def test_htmx_request_with_empty_parameters_pushes_the_clean_url(client):
    ProductFactory()
    response = client.get("/catalog/?q=&in_stock=on&price_max=", headers=HX)
    assert response.status_code == 200
    assert response.content.decode().lstrip().startswith('<section id="results"')
    assert response["HX-Push-Url"] == "/catalog/?in_stock=on"
