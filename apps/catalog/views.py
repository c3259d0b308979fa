"""Placeholder views: the catalog issue replaces these with the faceted listing and product page."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET


@require_GET
def catalog(request: HttpRequest, path: str = "") -> TemplateResponse:
    raise Http404("The catalog is not built yet.")


@require_GET
def product_detail(request: HttpRequest, slug: str) -> TemplateResponse:
    raise Http404("The catalog is not built yet.")
