"""A shopper's address book: saved addresses, one default for shipping and one for billing.

The fields match the checkout's address step (apps.checkout.forms.AddressForm) so a saved
address fills it as is; the "one default per kind" rule lives in the database.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.db.models import Q


class Address(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="addresses", on_delete=models.CASCADE
    )
    full_name = models.CharField(max_length=150)
    phone = models.CharField(max_length=40, blank=True)
    address_line1 = models.CharField(max_length=200)
    address_line2 = models.CharField(max_length=200, blank=True)
    postal_code = models.CharField(max_length=20)
    city = models.CharField(max_length=100)
    country = models.CharField(max_length=2)
    is_default_shipping = models.BooleanField(default=False)
    is_default_billing = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    FIELDS = (
        "full_name",
        "phone",
        "address_line1",
        "address_line2",
        "postal_code",
        "city",
        "country",
    )

    class Meta:
        ordering = ["-is_default_shipping", "-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(is_default_shipping=True),
                name="address_one_default_shipping",
            ),
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(is_default_billing=True),
                name="address_one_default_billing",
            ),
        ]
        indexes = [models.Index(fields=["user", "-created_at"], name="address_user_created")]

    def __str__(self) -> str:
        return f"{self.full_name}, {self.address_line1}, {self.postal_code} {self.city}"

    def as_details(self) -> dict[str, str]:
        """The checkout address step's fields (without the e-mail, which is the account's)."""
        return {name: getattr(self, name) for name in self.FIELDS}


class Session(AbstractBaseSession):
    """A session row that also names its signed-in user, so one query reads both.

    `user` mirrors the session's `_auth_user_id` (set by `apps.accounts.sessions.SessionStore`
    every time the session is saved); the session data stays the source of truth and
    `apps.accounts.middleware.AuthenticationMiddleware` only uses the joined user when the two
    agree. Deleting a user deletes their sessions.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )

    @classmethod
    def get_session_store_class(cls):
        from .sessions import SessionStore

        return SessionStore
