"""Reads for CMS pages: what a visitor may see, and what staff may preview."""

from __future__ import annotations

import re

from django.contrib.auth.models import AnonymousUser, User

from .models import SLUG_PATH_REGEX, DynamicPage

SLUG_PATH = re.compile(SLUG_PATH_REGEX)


def can_preview(user: User | AnonymousUser) -> bool:
    """Staff who may view pages in the admin may also see unpublished ones on the site."""
    return bool(user.is_active and user.is_staff and user.has_perm("pages.view_dynamicpage"))


def may_see(page: DynamicPage, user: User | AnonymousUser) -> bool:
    return page.is_live or can_preview(user)


def page_for_path(slug: str, user: User | AnonymousUser) -> DynamicPage | None:
    """The page at `slug` as `user` may see it: live pages for everyone, drafts for previewers."""
    if len(slug) > 200 or not SLUG_PATH.fullmatch(slug):
        return None  # not an address a page can have (uppercase, NUL bytes, dots...): no query
    pages = DynamicPage.objects.all() if can_preview(user) else DynamicPage.objects.live()
    return pages.filter(slug=slug).first()


def breadcrumbs(page: DynamicPage, user: User | AnonymousUser) -> list[tuple[str, str]]:
    """Home, then the visible pages above this one (help for help/shipping), then the page."""
    parts = page.slug.split("/")
    parents = ["/".join(parts[: i + 1]) for i in range(len(parts) - 1)]
    found: dict[str, DynamicPage] = {}
    if parents:
        pages = DynamicPage.objects.all() if can_preview(user) else DynamicPage.objects.live()
        found = {p.slug: p for p in pages.filter(slug__in=parents).only("slug", "title")}
    trail = [("Home", "/")]
    trail += [(found[s].title, found[s].get_absolute_url()) for s in parents if s in found]
    trail.append((page.title, page.get_absolute_url()))
    return trail
