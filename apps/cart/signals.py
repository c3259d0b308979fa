"""Login hook: merge the session's anonymous cart into the user's cart (connected in apps.py)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest

from .models import Cart
from .selectors import SESSION_CART_ID
from .services import count_items, merge_anonymous_cart, remember_count


def merge_cart_on_login(
    sender: type, request: HttpRequest | None, user: AbstractBaseUser, **kwargs: object
) -> None:
    if request is None or not hasattr(request, "session"):
        return
    cart_id = request.session.pop(SESSION_CART_ID, None)
    anonymous = Cart.objects.filter(pk=cart_id, user__isnull=True).first() if cart_id else None
    if anonymous is not None:
        notes = merge_anonymous_cart(anonymous, user)
        if notes:
            messages.info(request, "We merged the cart from your visit: " + " ".join(notes))
    user_cart = Cart.objects.filter(user=user).first()
    remember_count(request, count_items(user_cart) if user_cart else 0)
