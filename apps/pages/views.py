"""CMS page views: the catch-all page view. Thin: selectors decide visibility."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.views.decorators.http import require_safe

from apps.layout import context as layout_context

from . import layout as cms_layout
from . import selectors


@require_safe
def page_detail(request: HttpRequest, slug: str) -> TemplateResponse:
    """A published page for everyone; an unpublished one only for staff who may preview it.

    Its layout blocks come from the layout app, which decides who sees a draft of them.
    """
    page = selectors.page_for_path(slug, request.user)
    if page is None:
        raise Http404("No page here.")
    context = {
        **cms_layout.page_context(page, request),
        **layout_context.page_context(request, cms_layout.surface(page)),
    }
    response = TemplateResponse(request, "pages/page.html", context)
    if context["preview"]:
        # A draft must never land in a shared cache or a search index.
        add_never_cache_headers(response)
        patch_cache_control(response, private=True)
        response["X-Robots-Tag"] = "noindex"
    return layout_context.private_if_editor(response, context)
