from __future__ import annotations

from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

# Paths that hold shoppers' private state or staff tools: nothing there is worth indexing.
ROBOTS_DISALLOW = ["/admin/", "/accounts/", "/cart/", "/checkout/", "/wishlist/", "/layout/"]


@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness for load balancers and docker compose: answers only if the database does."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    """Point crawlers at the sitemap and away from carts, checkouts and the admin."""
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in ROBOTS_DISALLOW)]
    lines += ["", f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


@cache
def _favicon_bytes() -> bytes:
    """static/favicon.ico, read once (from STATIC_ROOT after collectstatic, else the source)."""
    found = finders.find("favicon.ico") or Path(settings.STATIC_ROOT or ".") / "favicon.ico"
    return Path(found).read_bytes()


@require_safe
@cache_control(public=True, max_age=86400)
def favicon(request: HttpRequest) -> HttpResponse:
    """/favicon.ico, which browsers ask for on their own whatever the page links."""
    return HttpResponse(_favicon_bytes(), content_type="image/x-icon")
