from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from apps.pages.models import DynamicPage


class PageFactory(DjangoModelFactory):
    class Meta:
        model = DynamicPage

    slug = factory.Sequence(lambda n: f"page-{n}")
    title = factory.Sequence(lambda n: f"Page {n}")
    body = "<p>Hello <strong>world</strong></p>"
    meta_description = "A page about things."
    is_published = True
