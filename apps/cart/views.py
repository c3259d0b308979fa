"""Cart pages. htmx requests get the changed fragments plus out-of-band totals and badge;
plain form posts redirect (POST/redirect/GET) with a message. Bad input changes nothing."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from apps.core.htmx import fragments, id_prefix, refused, safe_next, wants_fragment

from . import selectors, services
from .services import CartError

PAGE = "cart/cart.html"


def _user(request: HttpRequest):
    return request.user if request.user.is_authenticated else None


def badge(request: HttpRequest) -> tuple[str, dict]:
    return "partials/cart_badge.html", {
        "oob": True,
        "cart_badge_count": request.session.get(selectors.SESSION_CART_COUNT, 0),
    }


@require_safe
@vary_on_headers("HX-Request")
def cart_detail(request: HttpRequest) -> TemplateResponse:
    cart = selectors.cart_for_request(request)
    summary = selectors.cart_summary(cart, _user(request))
    if cart is not None:
        services.remember_count(request, summary.count)
    template = f"{PAGE}#cart" if wants_fragment(request) else PAGE
    return TemplateResponse(request, template, {"summary": summary})


@require_POST
def add(request: HttpRequest) -> HttpResponse:
    back = safe_next(request, reverse("cart:detail"), referer=True)
    try:
        variant, wanted = services.variant_to_add(
            request.POST.get("variant_id"),
            request.POST.get("product_id"),
            request.POST.get("quantity", "1"),
        )
        change = services.add_to_cart(request, variant, wanted)
    except CartError as error:
        return refused(request, error, back)
    services.remember_count(request, change.count)
    messages.add_message(
        request, messages.WARNING if change.level == "warning" else messages.SUCCESS, change.message
    )
    if not wants_fragment(request):
        return HttpResponseRedirect(back)
    return fragments(
        request,
        (
            "partials/add_to_cart.html",
            {
                "variant": change.product,
                "in_cart": change.line.quantity,
                "card_id_prefix": id_prefix(request),
            },
        ),
        badge(request),
    )


def _changed(request: HttpRequest, cart, target: str | None) -> HttpResponse:
    """After an update or removal: `target` fragment (or the whole cart), totals and badge."""
    summary = selectors.cart_summary(cart, _user(request))
    services.remember_count(request, summary.count)
    if not wants_fragment(request):
        return HttpResponseRedirect(reverse("cart:detail"))
    parts: list[tuple[str, dict]] = []
    item = next((s for s in summary.lines if str(s.pk) == target), None)
    if item is not None:
        parts.append((f"{PAGE}#cart_line", {"item": item}))
        parts.append((f"{PAGE}#cart_totals", {"summary": summary, "oob": True}))
    else:
        parts.append((f"{PAGE}#cart", {"summary": summary}))
    parts.append(badge(request))
    return fragments(request, *parts)


@require_POST
def update(request: HttpRequest, line_id: str) -> HttpResponse:
    cart = selectors.cart_for_request(request)
    if cart is None:
        return refused(request, CartError("Your cart is empty."), reverse("cart:detail"))
    try:
        change = services.set_quantity(cart, line_id, request.POST.get("quantity"))
    except CartError as error:
        return refused(request, error, reverse("cart:detail"))
    messages.success(request, change.message)
    return _changed(request, cart, str(change.line.pk))


@require_POST
def remove(request: HttpRequest, line_id: str) -> HttpResponse:
    cart = selectors.cart_for_request(request)
    if cart is None:
        return refused(request, CartError("Your cart is empty."), reverse("cart:detail"))
    try:
        change = services.remove_line(cart, line_id)
    except CartError as error:
        return refused(request, error, reverse("cart:detail"))
    messages.success(request, change.message)
    return _changed(request, cart, None)
