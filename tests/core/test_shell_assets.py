"""The page shell's assets: one stylesheet set for every page, and a favicon.

hx-boost swaps only <body>: whatever a page put in its own <head> is missing after a click from
another page. So every page must carry exactly the same stylesheets, all linked by base.html.
"""

from __future__ import annotations

import re
import subprocess
import sys
from importlib.util import module_from_spec, spec_from_file_location
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


def test_the_one_stylesheet_is_purged_pico_and_shop_css_joined():
    """site.css is committed, not built: it must equal what scripts/bundle_css.py makes of its
    sources (after editing shop.css or a template, run `python scripts/bundle_css.py`)."""
    script = Path(settings.BASE_DIR) / "scripts" / "bundle_css.py"
    check = subprocess.run(
        [sys.executable, str(script), "--check"], capture_output=True, text=True, check=False
    )
    assert check.returncode == 0, check.stderr
    bundle = Path(finders.find("css/site.css")).read_text()
    pico, shop = (Path(finders.find(f"css/{name}")).read_text() for name in SOURCES)
    assert bundle.startswith('@charset "UTF-8";/*!\n * Pico CSS')  # with its licence
    assert bundle.endswith(bundle_css.minify(shop))  # last: shop.css overrides Pico
    assert len(bundle.encode()) < 0.8 * len((pico + shop).encode())


def test_the_bundle_keeps_what_the_shop_uses_and_drops_what_it_cannot():
    bundle = Path(finders.find("css/site.css")).read_text()
    for used in (".container{", "[role=group]", ".secondary", "article{", "nav ul{", "details"):
        assert used in bundle, used
    # Pico's tooltips, modal, range sliders and shadow-DOM host: nothing in the shop has them.
    for unused in ("[data-tooltip]", "dialog", "[type=range]::", ":host", "--pico-range-", "modal"):
        assert unused not in bundle, unused


_spec = spec_from_file_location("bundle_css", Path(settings.BASE_DIR) / "scripts" / "bundle_css.py")
bundle_css = module_from_spec(_spec)
_spec.loader.exec_module(bundle_css)


def test_purge_keeps_selectors_the_markup_can_match():
    css = (
        ":root{--used:1px;--chain:var(--used);--unused:red;--only-unused:var(--unused)}"
        ".a,.b{margin:var(--chain)}"
        ":where(.b,.a) p{color:red}:is(.b) p{color:blue}"
        "p:not(.b){x:1}:host,p{y:2}[data-x]{z:3}[data-a]{z:4}"
        "[type=range]{r:1}[type=text]{t:1}[aria-invalid]{v:1}"
        '@media (min-width:1px){.b{q:1}}@media print{.a{content:"}{;"}}'
        "@keyframes spin{to{transform:rotate(1turn)}}@keyframes gone{to{opacity:0}}"
        ".a{animation:spin 1s}"
    )
    purged = bundle_css.purge(css, "", {"a", "p", "data-a", "text"})
    assert purged == (
        ":root{--used:1px;--chain:var(--used)}.a{margin:var(--chain)}"
        ":where(.b,.a) p{color:red}p:not(.b){x:1}p{y:2}[data-a]{z:4}"
        "[type=text]{t:1}[aria-invalid]{v:1}"
        '@media print{.a{content:"}{;"}}@keyframes spin{to{transform:rotate(1turn)}}'
        ".a{animation:spin 1s}"
    )


def test_purge_keeps_custom_properties_shop_css_reads():
    css = ":root{--a:1;--b:2}"
    assert bundle_css.purge(css, "p{margin:var(--b)}", set()) == ":root{--b:2}"


def test_minify_leaves_strings_and_meaningful_spaces():
    css = '/* note */\n.a  >  .b ,\n.c {\n  content: "x  ;  }";\n  width: calc(1px + 2px);\n}\n'
    assert bundle_css.minify(css) == '.a > .b,.c{content: "x  ;  }";width: calc(1px + 2px)}'


def test_vocabulary_takes_markup_not_prose(tmp_path):
    (tmp_path / "templates").mkdir()
    (tmp_path / "static" / "js").mkdir(parents=True)
    (tmp_path / "apps").mkdir()
    (tmp_path / "templates" / "t.html").write_text(
        '{# a dialog #}<div class="card {% if x %}sale{% endif %}">table</div>'
    )
    (tmp_path / "static" / "js" / "s.js").write_text(
        '// tooltip\nswitch (x) { el.classList.add("open"); }'
    )
    (tmp_path / "apps" / "m.py").write_text('"""A progress bar."""\nTAGS = {"blockquote"}\n')
    words = bundle_css.vocabulary(tmp_path)
    assert {"card", "sale", "table", "open", "blockquote", "errorlist"} <= words
    assert not {"dialog", "tooltip", "switch", "progress"} & words


def test_favicon_is_served_and_linked(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert response.content[:4] == b"\x00\x00\x01\x00"  # an ICO header
    assert "max-age=86400" in response["Cache-Control"]
    [icon] = ICON.findall(client.get("/").content.decode())
    assert icon == "/static/favicon.ico"
    assert finders.find("favicon.ico")  # served by whitenoise / the static server
