"""The layout part of a page's context, for any view that shows layout blocks (home, CMS pages).

Who may see a draft is decided here, before anything is rendered: only a staff user with
`layout.change_layoutblock` ever gets draft states in the context, and only their own draft.
"""

from __future__ import annotations

import time

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control

from apps.core.fragments import csrf_for, limit_until

from . import rendering, scheduling, selectors, services
from .blocks import TYPE_CHOICES
from .cache import RENDER_TTL
from .surfaces import Surface

MODE_SESSION_KEY = "layout_mode"
DEVICE_SESSION_KEY = "layout_device"
DEVICES = ("phone", "tablet", "desktop")
PERMISSION = "layout.change_layoutblock"


def can_edit(user) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.is_staff
        and user.has_perm(PERMISSION)
    )


def page_context(request: HttpRequest, surface: Surface) -> dict:
    """Blocks for this request: the user's draft preview only if they may see it, else live."""
    page = surface.key
    editor = can_edit(request.user)
    mode = "draft" if editor and request.session.get(MODE_SESSION_KEY) == "draft" else "live"
    context: dict = {"page": page, "mode": mode, "editor": editor}
    if mode == "draft":
        draft = selectors.draft_for(request.user, page)
        published = selectors.published_states(page)
        states = selectors.overlay(published, list(draft.changes.all())) if draft else published
        rendered = rendering.draft_blocks(states)
        summary = services.change_summary(draft, published)
        context["toolbar"] = {
            "draft": draft,
            "change_count": len(summary),
            "change_summary": summary,
            "conflicts": services.conflicts_for(request.user, page) if draft else [],
            "types": TYPE_CHOICES,
            "regions": surface.regions,
        }
    else:
        rendered = rendering.live_blocks(page)
        # A cached whole page lives no longer than its blocks' renders (stock, banner times).
        limit_until(
            request, min((item.expires for item in rendered), default=time.time() + RENDER_TTL)
        )
        if editor:
            draft = selectors.draft_for(request.user, page)
            context["toolbar"] = {"draft": draft, "change_count": services.change_count(draft)}
    if editor:
        device = request.session.get(DEVICE_SESSION_KEY)
        context["device"] = device if device in DEVICES else "desktop"
        context["toolbar"]["devices"] = DEVICES
        pending, failures = scheduling.notices(request.user, page)
        context["toolbar"]["schedule"] = pending
        for failed in failures:
            messages.error(
                request,
                f"Your publish scheduled for {timezone.localtime(failed.run_at):%Y-%m-%d %H:%M} "
                f"did not go live. {failed.message}",
            )
    rendered = rendering.for_viewer(rendered, request)
    rendered = rendering.with_csrf(rendered, csrf_for(request))
    grouped = rendering.regions(rendered, staff=editor)
    # Blocks whose region the page no longer has are not shown (an admin typo, a removed region).
    context["regions"] = {name: grouped[name] for name in surface.regions if name in grouped}
    return context


def private_if_editor(response: HttpResponse, context: dict) -> HttpResponse:
    """Whatever an editor is sent (draft or live with the toolbar) stays out of shared caches."""
    if context.get("editor"):
        patch_cache_control(response, private=True, no_store=True)
    return response
