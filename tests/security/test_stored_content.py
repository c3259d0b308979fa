"""Stored content with markup in it renders inert everywhere it appears.

Product names, attribute values, layout block content and CMS page bodies are stored with
`<script>`, `hx-get`, `onerror=` and `javascript:` in them (written straight to the database, as
an import or the admin could, so no form's validation stands in the way). Every page and htmx
fragment that shows them is parsed: no script runs that the page did not ship, no event handler
or htmx attribute comes from the content, no `javascript:` URL, and JSON-LD stays JSON.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from xml.etree import ElementTree

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import Client

from apps.cart.models import Cart, CartLine
from apps.wishlist import services as wishlist_services
from tests.factories import ProductAttributeFactory, ProductFactory, UserFactory, variant_of
from tests.layout.factories import banner, grid_skus, hero, publish_home, rich
from tests.pages.factories import PageFactory

pytestmark = pytest.mark.django_db

MARK = "Pwn3d"
HOSTILE = (
    f'{MARK}<script>alert("s")</script><img src=x onerror=alert("o")>'
    "<a href=\"javascript:alert('j')\">link</a>"
    '<div hx-get="/evil" data-hx-get="/evil">htmx</div></script><script>alert("t")</script>'
)
# Attributes a browser follows as a URL (text attributes such as value= or content= are inert).
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "poster", "data", "srcset", "cite"}
HOSTILE_URL = "javascript:alert('cta')"


class Inspector(HTMLParser):
    """Collects what a browser (or htmx) would act on."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.jsonld: list[str] = []
        self._script: dict[str, str | None] | None = None
        self._script_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        for name, value in attrs:
            value = (value or "").strip().lower()
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...> event handler")
            if (
                name in URL_ATTRIBUTES or name.startswith("hx-")
            ) and "javascript:" in value.replace(" ", ""):
                self.problems.append(f"<{tag} {name}={value[:60]!r}> javascript: URL")
            if (name.startswith("hx-") or name.startswith("data-hx-")) and "evil" in value:
                self.problems.append(f"<{tag} {name}={value[:60]!r}> htmx attribute from content")
        if tag == "script":
            self._script = named
            self._script_text = []

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script_text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag != "script" or self._script is None:
            return
        text = "".join(self._script_text)
        if self._script.get("type") == "application/ld+json":
            self.jsonld.append(text)
        elif self._script.get("src") is None or text.strip():
            self.problems.append(f"inline <script> with {text[:60]!r}")
        self._script = None


def inspect(html: str) -> Inspector:
    parser = Inspector()
    parser.feed(html)
    parser.close()
    return parser


@dataclass
class Hostile:
    product: Any
    shopper: Any
    page: Any


def _build() -> Hostile:
    shopper = UserFactory(username="hostile-shopper")
    product = ProductFactory(name=HOSTILE, sku="HOSTILE-1", description=HOSTILE)
    ProductAttributeFactory(product=product, value=HOSTILE[:120])
    cart, _ = Cart.objects.get_or_create(user=shopper)
    CartLine.objects.create(cart=cart, variant=variant_of(product), quantity=1)
    wishlist_services.set_saved(shopper, product.pk, True)
    publish_home(
        ("hero", hero(HOSTILE[:120], text=HOSTILE[:500], cta_label=HOSTILE[:60], cta_url="/ok")),
        ("main", rich(HOSTILE)),
        ("main", banner(HOSTILE[:200], link="/ok")),
        ("main", grid_skus([product.sku], limit=4)),
    )
    page = PageFactory(
        slug="hostile", title=HOSTILE[:100], body=HOSTILE, meta_description=HOSTILE[:150]
    )
    return Hostile(product=product, shopper=shopper, page=page)


@pytest.fixture(scope="module")
def _hostile(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield _build()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def hostile(_hostile, db) -> Hostile:
    return _hostile


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


HTMX = {"HX-Request": "true"}
# (name, path builder, htmx?, signed in?, must show the marker?)
PLACES = [
    ("catalog page", lambda h: "/catalog/", False, False),
    ("catalog fragment", lambda h: "/catalog/", True, False),
    ("catalog search fragment", lambda h: f"/catalog/?q={MARK}", True, False),
    ("category page", lambda h: h.product.category.get_absolute_url(), False, False),
    ("product page", lambda h: h.product.get_absolute_url(), False, False),
    ("cart page", lambda h: "/cart/", False, True),
    ("cart fragment", lambda h: "/cart/", True, True),
    ("wishlist page", lambda h: "/wishlist/", False, True),
    ("wishlist preview", lambda h: f"/wishlist/preview/?i={h.product.pk}:1.00", True, False),
    ("home page", lambda h: "/", False, False),
    ("home fragment", lambda h: "/", True, False),
    ("CMS page", lambda h: h.page.get_absolute_url(), False, False),
]


@pytest.mark.parametrize(
    ("path", "htmx", "signed_in"), [p[1:] for p in PLACES], ids=[p[0] for p in PLACES]
)
def test_stored_markup_renders_inert(hostile, path, htmx, signed_in):
    client = _signed_in(hostile.shopper) if signed_in else Client()
    response = client.get(path(hostile), headers=HTMX if htmx else {})
    assert response.status_code == 200
    html = response.content.decode()
    assert MARK in html, "the hostile content is not on this page: the check would prove nothing"
    found = inspect(html)
    assert not found.problems, found.problems
    for payload in found.jsonld:
        assert "<" not in payload, "JSON-LD must escape < so content cannot close the element"
        json.loads(payload)


def test_product_json_ld_keeps_the_name_as_data(hostile):
    html = Client().get(hostile.product.get_absolute_url()).content.decode()
    blocks = [json.loads(p) for p in inspect(html).jsonld]
    names = [b.get("name") for b in blocks if b.get("@type") == "Product"]
    assert names == [HOSTILE], "the name is carried verbatim, as data, not dropped or mangled"


def test_the_inspector_can_fail():
    """It does catch each kind of live markup."""
    found = inspect(
        '<script>x()</script><img onerror="x()"><a href=" javascript:x()">a</a>'
        '<div hx-get="/evil"></div><script type="application/ld+json">{}</script>'
    )
    assert len(found.problems) == 4
    assert found.jsonld == ["{}"]


@pytest.mark.parametrize(
    "spec", [hero("Hi", cta_label="Go", cta_url=HOSTILE_URL), banner("Hi", link=HOSTILE_URL)]
)
def test_layout_blocks_refuse_javascript_urls_at_the_model(spec):
    """Block links are the one place stored text becomes an href: saving refuses the scheme."""
    with pytest.raises(ValidationError, match="https://"):
        publish_home(("main", spec))


@pytest.mark.parametrize("section", ["pages", "products", "categories"])
def test_sitemaps_are_well_formed_xml(hostile, section):
    response = Client().get(f"/sitemap-{section}.xml")
    assert response.status_code == 200
    root = ElementTree.fromstring(response.content)  # raises on injected markup
    locations = [el.text for el in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert locations and all(loc.startswith("http") for loc in locations)
    assert b"<script" not in response.content
