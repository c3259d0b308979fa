"""The account area: details, orders, the address book, deleting the account.

Every view is for the signed-in user's own data: an address is looked up with its owner, so
another user's id is a 404 like a missing one. The address book's actions post and redirect
without JavaScript; htmx swaps the `addresses` partial instead.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from apps.core.htmx import page_or_partial, wants_fragment

from . import selectors, services
from .forms import AddressBookForm, DeleteAccountForm, DetailsForm

ADDRESSES = "accounts/addresses.html"


@require_http_methods(["GET", "POST"])
@login_required
def account(request: HttpRequest) -> HttpResponse:
    form = DetailsForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        services.update_details(form)
        messages.success(request, "Your details were saved.")
        return HttpResponseRedirect(reverse("accounts:account"))
    status = 400 if request.method == "POST" else 200
    return TemplateResponse(
        request, "accounts/account.html", {"form": form, "section": "details"}, status=status
    )


@require_safe
@login_required
def orders(request: HttpRequest) -> TemplateResponse:
    page = selectors.orders_page(request.user, request.GET.get("page"))
    return TemplateResponse(request, "accounts/orders.html", {"page": page, "section": "orders"})


def _addresses_response(request: HttpRequest) -> HttpResponse:
    if not wants_fragment(request):
        return HttpResponseRedirect(reverse("accounts:addresses"))
    return TemplateResponse(
        request,
        f"{ADDRESSES}#addresses",
        {"addresses": selectors.addresses_of(request.user), "section": "addresses"},
    )


@require_safe
@login_required
@vary_on_headers("HX-Request")
def addresses(request: HttpRequest) -> TemplateResponse:
    return TemplateResponse(
        request,
        page_or_partial(request, ADDRESSES, "addresses"),
        {"addresses": selectors.addresses_of(request.user), "section": "addresses"},
    )


def _own_address(request: HttpRequest, pk: int):
    address = selectors.address_of(request.user, pk)
    if address is None:
        raise Http404("No such address.")
    return address


@require_http_methods(["GET", "POST"])
@login_required
def address_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    address = _own_address(request, pk) if pk is not None else None
    form = AddressBookForm(request.POST or None, instance=address)
    if request.method == "POST" and form.is_valid():
        services.save_address(request.user, form.cleaned_data, address)
        messages.success(request, "Address saved.")
        return HttpResponseRedirect(reverse("accounts:addresses"))
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "address": address, "section": "addresses"}
    return TemplateResponse(request, "accounts/address_form.html", context, status=status)


@require_POST
@login_required
def address_delete(request: HttpRequest, pk: int) -> HttpResponse:
    services.delete_address(_own_address(request, pk))
    messages.success(request, "Address deleted.")
    return _addresses_response(request)


@require_POST
@login_required
def address_default(request: HttpRequest, pk: int) -> HttpResponse:
    address = _own_address(request, pk)
    kind = request.POST.get("kind", "")
    if kind not in ("shipping", "billing"):
        messages.error(request, "Choose shipping or billing.")
        response = _addresses_response(request)
        response.status_code = 400 if wants_fragment(request) else response.status_code
        return response
    services.set_default(address, kind)
    messages.success(request, f"Default {kind} address set.")
    return _addresses_response(request)


@require_http_methods(["GET", "POST"])
@login_required
def delete_account(request: HttpRequest) -> HttpResponse:
    form = DeleteAccountForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.delete_account(request.user)
        logout(request)
        messages.success(request, "Your account was deleted.")
        return HttpResponseRedirect(reverse("home"))
    status = 400 if request.method == "POST" else 200
    return TemplateResponse(
        request, "accounts/delete.html", {"form": form, "section": "delete"}, status=status
    )
