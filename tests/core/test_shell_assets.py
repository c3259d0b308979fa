"""The page shell's assets: one stylesheet set for every page, and a favicon.

hx-boost swaps only <body>: whatever a page put in its own <head> is missing after a click from
another page. So every page must carry exactly the same stylesheets, all linked by base.html.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders

from tests.factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "templates"
STYLESHEET = re.compile(r'<link rel="stylesheet" href="([^"]+)"')
ICON = re.compile(r'<link rel="icon" href="([^"]+)"')
SOURCES = ("pico.min.css", "shop.css")


def test_only_base_html_links_stylesheets():
    linking = {
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("*.html")
        if "stylesheet" in path.read_text()
    }
    assert linking == {"base.html"}


def test_every_page_type_links_the_same_stylesheets(client):
    category = CategoryFactory(name="Lamps", slug="lamps")
    product = ProductFactory(category=category)
    urls = ["/", "/catalog/", category.get_absolute_url(), product.get_absolute_url(), "/cart/"]
    urls += ["/wishlist/", "/accounts/login/", "/accounts/signup/"]
    sheets = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        sheets[url] = STYLESHEET.findall(response.content.decode())
    assert sheets["/"] == ["/static/css/site.css"]  # one render-blocking request
    assert all(found == sheets["/"] for found in sheets.values()), sheets


def test_the_one_stylesheet_is_pico_and_shop_css_joined():
    """site.css is committed, not built: it must equal its sources as scripts/bundle_css.py joins
    them (after editing shop.css, run `python scripts/bundle_css.py`)."""
    script = Path(settings.BASE_DIR) / "scripts" / "bundle_css.py"
    check = subprocess.run(
        [sys.executable, str(script), "--check"], capture_output=True, text=True, check=False
    )
    assert check.returncode == 0, check.stderr
    bundle = Path(finders.find("css/site.css")).read_text()
    pico, shop = (Path(finders.find(f"css/{name}")).read_text() for name in SOURCES)
    assert bundle.startswith(pico) and bundle.endswith(shop)  # Pico first: shop.css overrides it
    assert bundle.startswith('@charset "UTF-8";')
    assert len(bundle) - len(pico) - len(shop) < 200  # nothing but the note in between


def test_favicon_is_served_and_linked(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert response.content[:4] == b"\x00\x00\x01\x00"  # an ICO header
    assert "max-age=86400" in response["Cache-Control"]
    [icon] = ICON.findall(client.get("/").content.decode())
    assert icon == "/static/favicon.ico"
    assert finders.find("favicon.ico")  # served by whitenoise / the static server
