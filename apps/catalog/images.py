"""Smaller copies of product images, so a card's `srcset` offers the browser real choices.

Each rendition lives beside its original under a name derived from it (`x.jpg` -> `x.w240.jpg`),
so building a `srcset` needs no query and no file-system lookup. Copies are made when an image is
saved (admin, factories) and, for bulk-inserted demo images, by seed_demo.
"""

from __future__ import annotations

from io import BytesIO

from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage, default_storage
from django.utils.encoding import filepath_to_uri
from django.utils.functional import LazyObject, empty
from PIL import Image, UnidentifiedImageError

WIDTHS = (240, 360)


def rendition_name(name: str, width: int) -> str:
    # String operations, not PurePosixPath: this runs for every card of every cold listing.
    folder, slash, filename = name.rpartition("/")
    stem = filename.rsplit(".", 1)[0] if "." in filename[1:] else filename
    return f"{folder}{slash}{stem}.w{width}.jpg"


def widths_for(original_width: int | None) -> list[int]:
    """The rendition widths an image of this width has (only ever smaller than the original)."""
    return [w for w in WIDTHS if original_width and w < original_width]


def make_renditions(name: str, storage: Storage = default_storage) -> list[str]:
    """Write the missing smaller copies of one stored image; returns their names."""
    try:
        with storage.open(name) as handle, Image.open(handle) as original:
            original.load()
    except (OSError, UnidentifiedImageError):
        return []  # a file that is not a readable picture keeps only its original
    made = []
    for width in widths_for(original.width):
        target = rendition_name(name, width)
        if not storage.exists(target):
            copy = original.convert("RGB")
            copy.thumbnail((width, round(original.height * width / original.width)))
            buffer = BytesIO()
            copy.save(buffer, "JPEG", quality=80, optimize=True)
            storage.save(target, ContentFile(buffer.getvalue()))
        made.append(target)
    return made


def file_url(storage: Storage, name: str) -> str:
    """`storage.url(name)`. For the shop's FileSystemStorage that is its base URL followed by the
    quoted name, which is what urljoin returns there; urljoin's parsing cost ~10 us a call, and
    a card asks for three URLs (tests/catalog/test_images.py compares both on hostile names).
    Any other storage (or a name with empty or dot segments, which urljoin resolves) asks it."""
    real = storage
    if isinstance(real, LazyObject):  # default_storage
        if real._wrapped is empty:
            real._setup()
        real = real._wrapped
    if type(real).url is FileSystemStorage.url and name:
        relative = filepath_to_uri(name).lstrip("/")
        segments = relative.split("/")
        if "" not in segments and "." not in segments and ".." not in segments:
            return real.base_url + relative
    return storage.url(name)


def srcset(name: str, url: str, width: int | None, storage: Storage = default_storage) -> str:
    """`url 240w, url 360w, original 480w` for an image `width` pixels wide."""
    candidates = [f"{file_url(storage, rendition_name(name, w))} {w}w" for w in widths_for(width)]
    if width:
        candidates.append(f"{url} {width}w")
    return ", ".join(candidates)
