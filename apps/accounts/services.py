"""Account writes: sign-up, the address book, e-mail change, deleting an account."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core import signing
from django.db import transaction
from django.urls import reverse

from apps.checkout import services as checkout_services

from . import emails
from .forms import SignUpForm
from .models import Address

EMAIL_CHANGE_SALT = "accounts.email-change"
EMAIL_CHANGE_MAX_AGE = 60 * 60 * 24  # a day


class InvalidLink(Exception):
    pass


@transaction.atomic
def sign_up(form: SignUpForm) -> AbstractBaseUser:
    """Create the account from a validated form."""
    user = form.save(commit=False)
    user.email = form.cleaned_data["email"]
    user.save()
    return user


@transaction.atomic
def save_address(user: Any, details: dict[str, Any], address: Address | None = None) -> Address:
    """Create (or update) a saved address; the first one becomes the default for both kinds."""
    if address is None:
        address = Address(user=user)
        first = not Address.objects.filter(user=user).exists()
        address.is_default_shipping = address.is_default_billing = first
    for name in Address.FIELDS:
        setattr(address, name, details.get(name) or "")
    address.save()
    return address


@transaction.atomic
def delete_address(address: Address) -> None:
    address.delete()


@transaction.atomic
def set_default(address: Address, kind: str) -> None:
    """Make `address` the default for "shipping" or "billing" (the previous one stops being)."""
    field = f"is_default_{kind}"
    Address.objects.filter(user_id=address.user_id, **{field: True}).exclude(pk=address.pk).update(
        **{field: False}
    )
    Address.objects.filter(pk=address.pk).update(**{field: True})


@transaction.atomic
def update_details(form) -> None:
    form.save()


def request_email_change(user: Any, new_email: str) -> None:
    """Send a confirmation link to the new address; nothing changes until it is followed. The
    token names the current address too, so it works once and dies if the address changes."""
    token = signing.dumps({"u": user.pk, "e": new_email, "o": user.email}, salt=EMAIL_CHANGE_SALT)
    link = settings.SITE_URL + reverse("accounts:email_confirm", args=[token])
    context = {"user": user, "link": link, "new_email": new_email, "shop_name": settings.SHOP_NAME}
    with transaction.atomic():
        emails.enqueue(
            "accounts/email/email_change_subject.txt",
            "accounts/email/email_change.txt",
            context,
            new_email,
        )


def email_change_target(token: str, *, lock: bool = False) -> tuple[Any, str]:
    """The user and new address a confirmation link is for; InvalidLink if it is not valid."""
    users = get_user_model().objects
    try:
        data = signing.loads(token[:500], salt=EMAIL_CHANGE_SALT, max_age=EMAIL_CHANGE_MAX_AGE)
        pk, new_email, old_email = int(data["u"]), str(data["e"]), str(data["o"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise InvalidLink("This link is not valid or has expired.") from None
    user = (users.select_for_update() if lock else users).filter(pk=pk).first()
    if user is None or user.email != old_email:
        raise InvalidLink("This link was already used or is no longer valid.")
    return user, new_email


@transaction.atomic
def confirm_email_change(token: str) -> Any:
    user, new_email = email_change_target(token, lock=True)
    if get_user_model().objects.filter(email__iexact=new_email).exclude(pk=user.pk).exists():
        raise InvalidLink("Another account uses this e-mail address now.")
    user.email = new_email
    user.save(update_fields=["email"])
    return user


@transaction.atomic
def delete_account(user: Any) -> int:
    """Remove the person: addresses, wishlist and cart go with the user row (CASCADE); orders
    stay for the shop's books, anonymised. Returns how many orders were anonymised."""
    anonymised = checkout_services.anonymise_orders(user)
    get_user_model().objects.filter(pk=user.pk).delete()
    return anonymised
