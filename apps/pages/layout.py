"""CMS pages carry layout blocks: page 5 is the layout page "page-5", with a region above the
text ("top") and one below it ("bottom"). Registered with layout at start-up (pages uses layout,
never the other way round)."""

from __future__ import annotations

from django.http import HttpRequest

from apps.layout import services as layout_services
from apps.layout import surfaces
from apps.layout.surfaces import Surface

from . import selectors
from .models import DynamicPage

PREFIX = "page"
REGIONS = ("top", "bottom")
FRAGMENT = "pages/page.html#layout"


def layout_key(page: DynamicPage) -> str:
    return f"{PREFIX}-{page.pk}"


def page_context(page: DynamicPage, request: HttpRequest) -> dict:
    """What pages/page.html needs besides the blocks (the layout context owns `page`)."""
    return {
        "cms": page,
        "preview": not page.is_live,
        "crumbs": selectors.breadcrumbs(page, request.user),
    }


def surface(page: DynamicPage) -> Surface:
    def context(request: HttpRequest) -> dict | None:
        if not selectors.may_see(page, request.user):
            return None
        return page_context(page, request)

    def shared_context() -> dict:
        return {"cms": page, "preview": False, "crumbs": []}

    return Surface(
        key=layout_key(page),
        regions=REGIONS,
        url=page.get_absolute_url(),
        fragment=FRAGMENT,
        context=context,
        shared_context=shared_context,
    )


def _resolve(key: str, ident: int) -> Surface | None:
    page = DynamicPage.objects.filter(pk=ident).first()
    return surface(page) if page is not None else None


def page_deleted(sender, instance: DynamicPage, **kwargs) -> None:
    layout_services.delete_page(layout_key(instance))


def connect() -> None:
    from django.db.models.signals import post_delete

    surfaces.register(PREFIX, _resolve)
    post_delete.connect(page_deleted, sender=DynamicPage, dispatch_uid="pages-layout-delete")
