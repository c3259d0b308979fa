"""Checkout steps, coupon apply/remove, placing the order, confirmation and history.

The steps' data lives in a typed CheckoutSession (apps.checkout.session) until the order is
placed, so going back keeps what was entered. Views only turn service results and exceptions
into responses: every cart write goes through apps.checkout.services. A step form posted by
htmx gets the next step's fragment (and the URL pushed); without JavaScript it redirects to the
next step's page.
"""

from __future__ import annotations

import uuid
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import push_url

from apps.accounts import services as account_services
from apps.cart import selectors as cart_selectors
from apps.cart import services as cart_services
from apps.cart.views import badge
from apps.core.htmx import fragments, refused, wants_fragment

from . import coupons, selectors, services, webhooks
from .forms import AddressForm, PaymentForm, ShippingForm
from .payments import InvalidWebhook
from .session import STEP_TITLES, STEPS, CheckoutSession

SESSION_ORDERS = "placed_orders"
PAGE = "checkout/checkout.html"


def _user(request: HttpRequest):
    return request.user if request.user.is_authenticated else None


def _picked(request: HttpRequest, saved: list) -> object | None:
    """The saved address chosen in the picker (`?saved=<id>`), among the shopper's own: any
    other id is a 404."""
    raw = request.GET.get("saved")
    if raw is None:
        return None
    picked = next((a for a in saved if str(a.pk) == raw), None)
    if picked is None:
        raise Http404("No such address.")
    return picked


def _address_form(request: HttpRequest, state: CheckoutSession, data=None, picked=None):
    user = _user(request)
    if picked is not None:
        initial = {"email": user.email, **picked.as_details()}
    else:
        initial = state.address or selectors.address_prefill(user)
    return AddressForm(data, initial=initial, signed_in=user is not None)


def _form(request: HttpRequest, step: str, state: CheckoutSession, data=None):
    if step == "address":
        return _address_form(request, state, data)
    if step == "shipping":
        return ShippingForm(
            data,
            methods=services.SHIPPING_METHODS,
            initial={"method": state.shipping or "standard"},
        )
    if step == "payment":
        return PaymentForm(data)
    return None


def _answer(step: str, form) -> object:
    """What a valid step form stores in the checkout session."""
    if step == "address":
        return form.details()
    if step == "shipping":
        return form.cleaned_data["method"]
    return {"token": form.card.token, "last4": form.card.last4}


def _context(request: HttpRequest, step: str, summary, state: CheckoutSession, form=None) -> dict:
    context = {
        "step": step,
        "steps": [(s, STEP_TITLES[s]) for s in STEPS],
        "step_index": STEPS.index(step),
        "previous": STEPS[STEPS.index(step) - 1] if STEPS.index(step) else None,
        "form": form if form is not None else _form(request, step, state),
        "summary": summary,
        "state": state,
    }
    if step == "address":
        context.update(_picker_context(request, state, form))
    if step == "review":
        quote = services.quote_summary(summary, state.shipping or "")
        state.token = state.token or str(uuid.uuid4())
        state.reviewed = quote.fingerprint
        state.reviewed_total = str(quote.total)
        context["price_changed"], state.price_changed = state.price_changed, None
        state.save(request.session)
        context["quote"] = quote
        context["shipping_label"] = services.SHIPPING_METHODS[state.shipping][0]
    return context


def _picker_context(request: HttpRequest, state: CheckoutSession, form=None) -> dict:
    """The saved-address picker (signed-in shoppers) and the form it fills."""
    saved = selectors.saved_addresses(_user(request))
    picked = _picked(request, saved) if form is None else None
    context = {"saved_addresses": saved, "picked": picked.pk if picked else None}
    if picked is not None:
        context["form"] = _address_form(request, state, picked=picked)
    return context


def _ready(request: HttpRequest):
    """The cart summary, or a redirect to the cart when it cannot be checked out."""
    cart = cart_selectors.cart_for_request(request)
    summary = cart_selectors.cart_summary(cart, _user(request))
    if summary.is_empty:
        messages.info(request, "Your cart is empty: add something first.")
        return None, HttpResponseRedirect(reverse("cart:detail"))
    if summary.problems:
        messages.error(request, "Some items in your cart cannot be ordered: please fix them first.")
        return None, HttpResponseRedirect(reverse("cart:detail"))
    return summary, None


@require_safe
def start(request: HttpRequest) -> HttpResponse:
    step = CheckoutSession.load(request.session).first_missing()
    return HttpResponseRedirect(reverse("checkout:step", args=[step]))


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def step(request: HttpRequest, name: str) -> HttpResponse:
    if name not in STEPS:
        raise Http404("No such checkout step.")
    summary, redirect = _ready(request)
    if redirect:
        return redirect
    state = CheckoutSession.load(request.session)
    if not state.may_open(name):
        return HttpResponseRedirect(reverse("checkout:step", args=[state.first_missing()]))
    form = None
    if request.method == "POST" and name != "review":
        form = _form(request, name, state, request.POST)
        if form.is_valid():
            if name == "address" and form.cleaned_data.get("save_address"):
                account_services.save_address(request.user, form.details())
            following = state.complete(name, _answer(name, form))
            state.save(request.session)
            url = reverse("checkout:step", args=[following])
            if not wants_fragment(request):
                return HttpResponseRedirect(url)
            response = TemplateResponse(
                request, f"{PAGE}#checkout", _context(request, following, summary, state)
            )
            return push_url(response, url)
    # A step posted with errors is re-rendered with them and a 400, for htmx (base.html's
    # config swaps 4xx answers in) and plain posts alike.
    status = 400 if form is not None else 200
    template = f"{PAGE}#checkout" if wants_fragment(request) else PAGE
    return TemplateResponse(
        request, template, _context(request, name, summary, state, form), status=status
    )


@require_safe
@login_required
def saved_address(request: HttpRequest) -> TemplateResponse:
    """The address step's picker and form, filled from a saved address (htmx swaps it in; the
    step page does the same with `?saved=` without JavaScript). Two queries: the user, their
    addresses."""
    state = CheckoutSession.load(request.session)
    context = {"step": "address", **_picker_context(request, state)}
    if "form" not in context:
        # Nothing picked: the first saved address (the default comes first), from the same list.
        first = next(iter(context["saved_addresses"]), None)
        context["picked"] = first.pk if first else None
        context["form"] = _address_form(request, state, picked=first)
    return TemplateResponse(request, f"{PAGE}#step_form", context)


def _remember_order(request: HttpRequest, order_number: str) -> None:
    """This session placed the order: it may see the order page, even anonymously."""
    placed = request.session.get(SESSION_ORDERS, [])
    request.session[SESSION_ORDERS] = [*placed[-19:], order_number]


def _forget_checkout(request: HttpRequest, order_number: str) -> None:
    CheckoutSession.clear(request.session)
    _remember_order(request, order_number)


@require_POST
def place(request: HttpRequest) -> HttpResponse:
    review_url = reverse("checkout:step", args=["review"])
    state = CheckoutSession.load(request.session)
    try:
        token = uuid.UUID(str(request.POST.get("checkout_token", "")))
    except ValueError:
        messages.error(request, "This checkout form is not valid. Please review your order again.")
        return HttpResponseRedirect(review_url)
    existing = selectors.order_by_token(token)
    # A replayed submit of a placed order shows that order; a declined (cancelled) one is not
    # "already placed": the review asks again, with a fresh token.
    placed = existing is not None and existing.status != existing.Status.CANCELLED
    if placed and selectors.may_see(request, existing):
        messages.info(request, f"Order {existing.number} was already placed: here it is.")
        return HttpResponseRedirect(existing.get_absolute_url())
    if str(token) != state.token:
        messages.error(
            request,
            "This checkout form is out of date. Please check your order and place it again.",
        )
        return HttpResponseRedirect(review_url)
    missing = state.first_missing()
    if missing != "review":
        return HttpResponseRedirect(reverse("checkout:step", args=[missing]))
    try:
        confirmed = Decimal(str(request.POST.get("expected_total", "")))
    except InvalidOperation:
        confirmed = None
    if confirmed is None or str(confirmed) != state.reviewed_total:
        messages.error(
            request, "The total you confirmed does not match your order. Please check it again."
        )
        return HttpResponseRedirect(review_url)
    cart = cart_selectors.cart_for_request(request)
    if cart is None:
        messages.info(request, "Your cart is empty.")
        return HttpResponseRedirect(reverse("cart:detail"))
    try:
        result = services.complete_checkout(
            cart_id=cart.pk,
            token=token,
            details=state.address,
            shipping_method=state.shipping,
            reviewed=state.reviewed,
            payment_token=state.payment["token"],
            card_last4=state.payment["last4"],
            user=_user(request),
        )
    except services.PriceChanged as changed:
        state.price_changed = {"old": state.reviewed_total, "new": str(changed.quote.total)}
        state.save(request.session)
        messages.warning(request, str(changed))
        return HttpResponseRedirect(review_url)
    except services.PaymentUnavailable as unavailable:
        # The checkout (and its token) stays: submitting again shows this order, never a second.
        _remember_order(request, unavailable.order.number)
        messages.error(request, str(unavailable))
        return HttpResponseRedirect(unavailable.order.get_absolute_url())
    except services.CouponNoLongerValid as invalid:
        services.remove_coupon(cart)
        messages.error(request, f"{invalid} It was removed: please check the new total.")
        return HttpResponseRedirect(review_url)
    except services.CheckoutError as error:
        messages.error(request, str(error))
        return HttpResponseRedirect(reverse("cart:detail"))
    order = result.order
    if not result.created:
        _forget_checkout(request, order.number)
        return HttpResponseRedirect(order.get_absolute_url())
    if order.status == order.Status.CANCELLED:
        state.payment_failed()
        state.save(request.session)
        messages.error(
            request,
            f"Payment failed: {order.payment_message} Nothing was charged and your cart is "
            "unchanged. Please try another card.",
        )
        return HttpResponseRedirect(reverse("checkout:step", args=["payment"]))
    _forget_checkout(request, order.number)
    if order.status == order.Status.PENDING_PAYMENT:
        # The provider confirms later (webhook or reconciliation): the cart stays until then.
        messages.info(
            request,
            f"Thank you! We received order {order.number}; its payment is awaiting "
            "confirmation and we will e-mail you as soon as it is settled.",
        )
        return HttpResponseRedirect(order.get_absolute_url())
    cart_services.remember_count(request, 0)
    messages.success(request, f"Thank you! Your order {order.number} is confirmed.")
    return HttpResponseRedirect(order.get_absolute_url())


@require_safe
def order_detail(request: HttpRequest, number: str) -> TemplateResponse:
    order = selectors.order_with_lines(number)
    if order is None or not selectors.may_see(request, order):
        raise Http404("No such order.")
    return TemplateResponse(
        request,
        "checkout/order.html",
        {"order": order, "shipments": selectors.shipments(order)},
    )


@require_safe
@login_required
def order_history(request: HttpRequest) -> TemplateResponse:
    return TemplateResponse(
        request, "checkout/orders.html", {"orders": selectors.orders_of(request.user)}
    )


def _coupon_response(
    request: HttpRequest, cart, refusal: str = "", attempt: str = ""
) -> HttpResponse:
    if not wants_fragment(request):
        return HttpResponseRedirect(reverse("cart:detail"))
    summary = cart_selectors.cart_summary(cart, _user(request))
    context = {"summary": summary, "coupon_refusal": refusal, "coupon_attempt": attempt}
    return fragments(request, ("cart/cart.html#cart_totals", context), badge(request))


@require_POST
def coupon_apply(request: HttpRequest) -> HttpResponse:
    cart = cart_selectors.cart_for_request(request)
    if cart is None:
        return refused(
            request, cart_services.CartError("Your cart is empty."), reverse("cart:detail")
        )
    code = coupons.normalise(request.POST.get("code", ""))
    if not code:
        messages.error(request, "Enter a coupon code.")
        return _coupon_response(request, cart, "Enter a coupon code.")
    try:
        coupon = services.apply_coupon(cart, code, _user(request))
    except coupons.CouponRefused as refusal:
        messages.error(request, f"Coupon {code} not applied: {refusal}")
        return _coupon_response(request, cart, str(refusal), code)
    messages.success(request, f"Coupon {coupon.code} applied.")
    return _coupon_response(request, cart)


@require_POST
def coupon_remove(request: HttpRequest) -> HttpResponse:
    cart = cart_selectors.cart_for_request(request)
    if cart is None or not cart.coupon_code:
        return refused(
            request, cart_services.CartError("No coupon to remove."), reverse("cart:detail")
        )
    services.remove_coupon(cart)
    messages.success(request, "Coupon removed.")
    return _coupon_response(request, cart)


@csrf_exempt
@require_POST
def payment_webhook(request: HttpRequest) -> HttpResponse:
    """The payment provider's server calls this; the signature, not a cookie, proves it."""
    try:
        outcome = webhooks.receive(request.body, request.headers.get("X-Signature", ""))
    except InvalidWebhook as invalid:
        return HttpResponse(str(invalid), status=400, content_type="text/plain")
    return HttpResponse(outcome, content_type="text/plain")
