"""Layout test helpers: blocks published through the real service (version + revision)."""

from __future__ import annotations

from django.contrib.auth.models import Permission

from apps.layout import services
from tests.factories import StaffFactory


def marketer(**kwargs):
    user = StaffFactory(**kwargs)
    user.user_permissions.add(Permission.objects.get(codename="change_layoutblock"))
    return user


def hero(heading: str = "Big sale", **extra) -> dict:
    return {"type": "hero", "content": {"heading": heading, **extra}}


def grid_category(category_id: int, limit: int = 4, title: str = "") -> dict:
    return {
        "type": "product_grid",
        "content": {"title": title, "source": "category", "category": category_id, "limit": limit},
    }


def grid_skus(skus: list[str], limit: int = 8) -> dict:
    return {"type": "product_grid", "content": {"source": "skus", "skus": skus, "limit": limit}}


def banner(text: str = "Free shipping", **extra) -> dict:
    return {"type": "promo_banner", "content": {"text": text, **extra}}


def rich(html: str = "<p>Hello</p>") -> dict:
    return {"type": "rich_text", "content": {"html": html}}


def tiles(category_ids: list[int]) -> dict:
    return {"type": "category_tiles", "content": {"categories": category_ids}}


def publish_home(*specs: tuple[str, dict]) -> None:
    """publish_home(("hero", hero()), ("main", grid(...)), ...): one revision, version + 1."""
    blocks = []
    for index, (region, spec) in enumerate(specs):
        blocks.append(
            {
                "placement": f"home:{region}",
                "sort_order": (index + 1) * 10,
                "is_active": True,
                **spec,
            }
        )
    return services.publish_initial(blocks, "home")
