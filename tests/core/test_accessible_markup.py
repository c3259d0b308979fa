"""The accessible markup every page relies on: landmarks, skip link, live regions, labelled images,
errors tied to their fields. Checked on the server's HTML; e2e/test_a11y.py runs axe in Chromium."""

from __future__ import annotations

from decimal import Decimal
from html.parser import HTMLParser

import pytest

from tests.checkout.factories import ADDRESS
from tests.factories import ProductFactory, ProductImageFactory

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}


class Elements(HTMLParser):
    """Every start tag as (tag, attrs), and the text inside each element that has an id."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text_by_id: dict[str, str] = {}
        self._open: list[str | None] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        self.tags.append((tag, attributes))
        if tag not in {"input", "img", "br", "meta", "link", "hr", "source"}:
            self._open.append(attributes.get("id"))
            if attributes.get("id"):
                self.text_by_id[attributes["id"]] = ""

    def handle_endtag(self, tag):
        if self._open:
            self._open.pop()

    def handle_data(self, data):
        for element_id in self._open:
            if element_id:
                self.text_by_id[element_id] += data

    def find(self, tag: str, **attrs: str) -> list[dict[str, str]]:
        return [
            a
            for t, a in self.tags
            if t == tag and all(a.get(k.replace("_", "-")) == v for k, v in attrs.items())
        ]


def test_page_shell_landmarks_skip_link_and_live_regions(client):
    html = client.get("/accounts/login/").content.decode()
    page = Elements(html)
    assert page.find("html", lang="en")
    skip = page.find("a", **{"class": "skip-link"})
    assert skip and skip[0]["href"] == "#main"
    assert page.find("main", id="main")
    assert page.find("header") and page.find("footer") and page.find("nav", aria_label="Main")
    assert page.find("div", id="announcer", role="status", aria_live="polite")
    assert page.find("div", id="messages", role="status", aria_live="polite")
    assert page.find("a", id="cart-badge", aria_live="polite")


def test_product_cards_have_sized_images_with_alt_and_marked_prices(client):
    """The first row of cards loads its images at once and first (the listing's largest paint is
    one of them); the rest lazily. Every image has its size, so nothing shifts as they arrive."""
    product = ProductFactory(
        name="Wool rug", current_price=Decimal("8.00"), compare_at_price=Decimal("10.00"), stock=2
    )
    ProductImageFactory(product=product, alt_text="A red wool rug")
    for n in range(5):
        ProductImageFactory(product=ProductFactory(name=f"Lamp {n}"), alt_text=f"Lamp {n}")
    html = client.get("/catalog/?sort=name").content.decode()
    images = [a for t, a in Elements(html).tags if t == "img"]
    assert len(images) == 6
    for image in images:
        assert image["width"] == "64" and image["height"] == "64", image
        assert image["srcset"].endswith(" 64w") and image["sizes"]
    first_row, rest = images[:4], images[4:]
    assert all(i["fetchpriority"] == "high" and "loading" not in i for i in first_row), first_row
    assert all(i["loading"] == "lazy" and "fetchpriority" not in i for i in rest), rest
    assert '<s class="compare-at-price"><span class="visually-hidden">was </span>10.00' in html
    assert "Only 2 left" in html and '<span class="sale-badge">Sale</span>' in html


def test_load_more_cards_arrive_below_the_fold_with_lazy_images(client):
    for n in range(26):
        ProductImageFactory(product=ProductFactory(name=f"Lamp {n:02}"), alt_text=f"Lamp {n}")
    first = client.get("/catalog/?sort=name").content.decode()
    assert first.count('fetchpriority="high"') == 4
    more = client.get("/catalog/?sort=name&page=2", headers=HX).content.decode()
    images = [a for t, a in Elements(more).tags if t == "img"]
    assert len(images) == 2 and all(i["loading"] == "lazy" for i in images), images
    assert "<!doctype" not in more


def test_checkout_errors_are_tied_to_their_fields(client):
    client.post("/cart/add/", {"product_id": ProductFactory().pk, "quantity": 1})
    response = client.post("/checkout/address/", {**ADDRESS, "email": "", "city": ""}, headers=HX)
    assert response.status_code == 400  # refused; htmx still swaps the re-rendered step in
    page = Elements(response.content.decode())
    invalid = [a for t, a in page.tags if a.get("aria-invalid") == "true"]
    assert {a["name"] for a in invalid} == {"email", "city"}
    for field in invalid:
        described = field["aria-describedby"].split()
        assert any("required" in page.text_by_id[i] for i in described), field


def test_radio_groups_have_a_legend_and_their_error(client):
    client.post("/cart/add/", {"product_id": ProductFactory().pk, "quantity": 1})
    client.post("/checkout/address/", ADDRESS)
    response = client.post("/checkout/shipping/", {}, headers=HX)
    html = response.content.decode()
    page = Elements(html)
    group = page.find("fieldset", aria_describedby="id_method_error")
    assert group and "<legend>Shipping method</legend>" in html
    assert "required" in page.text_by_id["id_method_error"]


def test_product_page_main_image_is_asked_for_first_and_thumbnails_lazily(client):
    product = ProductFactory(name="Brass lamp")
    ProductImageFactory(product=product, alt_text="Front")
    ProductImageFactory(product=product, alt_text="Side", is_primary=False)
    html = client.get(product.get_absolute_url()).content.decode()
    page = Elements(html)
    [main] = page.find("img", data_testid="gallery-main")
    assert main["fetchpriority"] == "high" and "loading" not in main
    assert main["width"] and main["height"]
    thumbs = [a for t, a in page.tags if t == "img" and a is not main]
    assert len(thumbs) == 2
    assert all(a["loading"] == "lazy" and a["width"] == "96" for a in thumbs), thumbs
