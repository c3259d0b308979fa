"""Product cards offer the browser real image sizes: every srcset candidate is a stored file."""

from __future__ import annotations

import re

import pytest
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management import call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from apps.catalog import images
from apps.catalog.models import ProductImage
from tests.factories import ProductFactory, ProductImageFactory

pytestmark = pytest.mark.django_db


def stored(url: str) -> bool:
    return default_storage.exists(url.removeprefix(default_storage.base_url))


def test_saving_an_image_writes_smaller_copies_named_in_its_srcset():
    image = ProductImageFactory(image__width=480, image__height=480, is_primary=True)
    candidates = [c.rsplit(" ", 1) for c in image.srcset.split(", ")]
    assert [w for _, w in candidates] == ["240w", "360w", "480w"]
    assert all(stored(url) for url, _ in candidates)
    from PIL import Image

    with default_storage.open(candidates[0][0].removeprefix(default_storage.base_url)) as f:
        assert Image.open(f).size == (240, 240)


def test_an_image_smaller_than_every_rendition_offers_only_itself():
    image = ProductImageFactory(image__width=64, image__height=64)
    assert image.srcset == f"{image.image.url} 64w"


def test_catalog_cards_srcset_points_at_files_that_exist(client):
    product = ProductFactory(name="Wool rug", stock=3)
    ProductImageFactory(product=product, image__width=480, image__height=480, is_primary=True)
    html = client.get("/catalog/").content.decode()
    srcset = re.search(r'srcset="([^"]+)"', html)[1]
    urls = [c.rsplit(" ", 1)[0] for c in srcset.split(", ")]
    assert len(urls) == 3 and all(stored(url) for url in urls)


def test_seed_demo_images_have_their_smaller_copies(settings, tmp_path):
    call_command("seed_demo", products=5, verbosity=0)
    image = ProductImage.objects.first()
    urls = [c.rsplit(" ", 1)[0] for c in image.srcset.split(", ")]
    assert len(urls) == 3 and all(stored(url) for url in urls)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("products/a.jpg", "products/a.w240.jpg"),
        ("a.png", "a.w240.jpg"),
        ("p/q/x.y.jpeg", "p/q/x.y.w240.jpg"),
        ("p/.hidden", "p/.hidden.w240.jpg"),
        ("p/noext", "p/noext.w240.jpg"),
    ],
)
def test_rendition_names_sit_beside_the_original(name, expected):
    from apps.catalog.images import rendition_name

    assert rendition_name(name, 240) == expected


NAMES = st.lists(
    st.sampled_from([*"ab/. :?#%&é+~_-", "..", "./", "//", "http:", "%2F", " "]), max_size=10
).map("".join)


@settings(max_examples=500, deadline=None)
@given(
    name=NAMES,
    base=st.sampled_from(["/media/", "/m", "https://cdn.example/shop/media/", "//cdn/x/"]),
)
def test_file_url_is_what_the_storage_answers(name, base):
    storage = FileSystemStorage(location="/tmp/unused", base_url=base)
    if not name:
        return  # storage.url("") and file_url both defer to the storage
    assert images.file_url(storage, name) == storage.url(name)
    assert images.file_url(default_storage, name) == default_storage.url(name)


def test_file_url_asks_any_other_storage():
    class Signed(FileSystemStorage):
        def url(self, name):
            return f"https://signed.example/{name}?sig=1"

    assert images.file_url(Signed(location="/tmp/unused"), "a.jpg") == (
        "https://signed.example/a.jpg?sig=1"
    )
