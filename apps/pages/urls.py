"""The catch-all: included last in shop/urls.py, so every real route wins over a CMS page.

The converter only accepts addresses a page can have, so `/favicon.ico` is a plain 404 rather
than an APPEND_SLASH redirect to `/favicon.ico/`.
"""

from django.urls import path, register_converter

from . import views
from .models import SLUG_PATH_REGEX

app_name = "pages"


class PagePathConverter:
    regex = SLUG_PATH_REGEX.removeprefix("^").removesuffix("$")

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(PagePathConverter, "pagepath")

urlpatterns = [
    path("<pagepath:slug>/", views.page_detail, name="detail"),
]
