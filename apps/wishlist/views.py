"""Wishlist views: the page, the anonymous preview partial, hearts, the merge endpoint, opt-out."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from apps.catalog.products import product_states
from apps.core.htmx import id_prefix, page_or_partial, safe_next, wants_fragment

from . import selectors, services
from .payload import MAX_BODY_BYTES, PayloadError, parse_merge_body, parse_preview_items
from .tokens import read_opt_out_token

PAGE = "wishlist/page.html"


@require_safe
@never_cache
@vary_on_headers("HX-Request")
def wishlist_page(request: HttpRequest) -> TemplateResponse:
    """Signed-in: the saved items from the database. Anonymous: a shell that wishlist.js fills
    from localStorage through the preview partial."""
    if request.user.is_authenticated:
        rows = selectors.wishlist_rows(request.user)
        context = {
            "mode": "account",
            "rows": rows,
            "wishlist_ids": frozenset(row.product.pk for row in rows),
        }
    else:
        context = {"mode": "local", "rows": []}
    return TemplateResponse(request, page_or_partial(request, PAGE, "wishlist-items"), context)


@require_safe
@never_cache
@vary_on_headers("HX-Request")
def preview(request: HttpRequest) -> TemplateResponse:
    """Current name, image, price and availability of the ids a browser holds (`?i=12:19.99`).

    A read of public catalog data: it stores nothing and needs no session.
    """
    items = parse_preview_items(request.GET.getlist("i"))
    rows, unavailable = selectors.preview_rows(items)
    context = {"mode": "preview", "rows": rows, "unavailable": unavailable}
    return TemplateResponse(request, page_or_partial(request, PAGE, "wishlist-items"), context)


@require_POST
def set_item(request: HttpRequest, product_id: int) -> HttpResponse:
    """Heart or un-heart one product for a signed-in shopper (`saved=1` or `saved=0`)."""
    back = safe_next(request, reverse("wishlist:page"), referer=True)
    if not request.user.is_authenticated:
        # Anonymous hearts live in the browser (wishlist.js); without JavaScript, log in first.
        login_url = f"{reverse('accounts:login')}?{urlencode({'next': back})}"
        if wants_fragment(request):
            return HttpResponseClientRedirect(login_url)
        messages.info(request, "Log in to keep a wishlist in your account.")
        return HttpResponseRedirect(login_url)

    saved_raw = request.POST.get("saved")
    state = product_states([product_id]).get(product_id)
    if state is not None and not state.is_active:
        # A draft or archived product exists only for shoppers who saved it while it was on sale
        # (to remove it); to anyone else its name and price are as unknown as a missing id's.
        if product_id not in selectors.saved_product_ids(request.user):
            state = None
    status = 200
    if state is None:
        messages.error(request, "That product could not be found.")
        status = 404
    elif saved_raw not in ("0", "1"):
        messages.error(request, "Choose whether to save or remove the product.")
        status = 400
    else:
        try:
            services.set_saved(
                request.user, product_id, saved_raw == "1", request.POST.get("variant")
            )
        except services.ProductUnavailable:
            messages.error(request, f"{state.name} is no longer available.")
            status = 404

    if wants_fragment(request):
        if state is None:
            return TemplateResponse(request, "wishlist/not_found.html", {}, status=status)
        context = {
            "product": state,
            "wishlist_ids": selectors.saved_product_ids(request.user),
            "card_id_prefix": id_prefix(request),
        }
        return TemplateResponse(request, "wishlist/heart_response.html", context, status=status)
    if status != 200:
        # Without JavaScript: a real 4xx page; base.html shows the message queued above.
        return TemplateResponse(request, "wishlist/error.html", {"back": back}, status=status)
    if saved_raw == "1":
        messages.success(request, f"Saved {state.name} to your wishlist.")
    else:
        messages.success(request, f"Removed {state.name} from your wishlist.")
    return HttpResponseRedirect(back)


@require_POST
def merge(request: HttpRequest) -> JsonResponse:
    """Merge the browser's list into the signed-in account (JSON in, JSON report out).

    CSRF is enforced by the middleware (the script sends the X-CSRFToken header). Anonymous
    callers get 401, never a redirect to the login page: the script must not mistake a
    followed redirect for success and clear the browser's list.
    """
    if not request.user.is_authenticated:
        return JsonResponse({"error": "Log in to merge your wishlist."}, status=401)
    if request.content_type != "application/json":
        return JsonResponse({"error": "Send the wishlist as application/json."}, status=415)
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_BODY_BYTES:
        return JsonResponse({"error": "That wishlist is too large to merge at once."}, status=413)
    try:
        items, skipped = parse_merge_body(request.body)
    except PayloadError as exc:
        return JsonResponse({"error": exc.message}, status=exc.status)
    result = services.merge(request.user, items)
    result.skipped = skipped + result.skipped
    return JsonResponse(result.as_dict())


@csrf_exempt
@require_http_methods(["GET", "POST"])
def opt_out(request: HttpRequest, token: str) -> TemplateResponse:
    """Stop wishlist alerts from the link in an e-mail, without logging in.

    GET only asks for confirmation (mail scanners follow links); POST opts out. CSRF is exempt
    on purpose: the signed token, not a cookie, identifies the shopper, and mail clients send
    RFC 8058 one-click POSTs (List-Unsubscribe-Post) without any CSRF token.
    """
    user_id = read_opt_out_token(token)
    if user_id is None:
        return TemplateResponse(request, "wishlist/opt_out.html", {"invalid": True}, status=400)
    if request.method == "POST":
        if not services.opt_out_of_alerts(user_id):
            return TemplateResponse(request, "wishlist/opt_out.html", {"invalid": True}, status=400)
        return TemplateResponse(request, "wishlist/opt_out.html", {"done": True})
    return TemplateResponse(request, "wishlist/opt_out.html", {"token": token})
