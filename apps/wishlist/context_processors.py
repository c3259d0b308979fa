"""Hearts and the header counter need the shopper's saved ids on every page: fetched lazily,
once per request, and only for signed-in shoppers (anonymous lists live in the browser)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .selectors import saved_product_ids


def wishlist(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"wishlist_ids": frozenset()}
    return {"wishlist_ids": SimpleLazyObject(lambda: saved_product_ids(user))}
