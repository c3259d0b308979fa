"""Payment gateways. `settings.PAYMENT_GATEWAY` names the class; the built-in TestGateway needs
no network and decides by card number, so tests and demos can approve and decline at will.

The card number never reaches the session or the database: `tokenize` turns it into an opaque
token at the payment step and `charge` uses the token when the order is placed.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

DEFAULT_GATEWAY = "apps.checkout.payments.TestGateway"


class CardRejected(Exception):
    """The card details cannot be used at all (shown on the payment step)."""


@dataclass(frozen=True)
class CardToken:
    token: str
    last4: str
    brand: str


@dataclass(frozen=True)
class ChargeResult:
    approved: bool
    reference: str
    message: str


class PaymentGateway(Protocol):
    def tokenize(self, number: str, expiry: str, cvc: str) -> CardToken: ...

    def charge(
        self, token: str, amount: Decimal, currency: str, reference: str
    ) -> ChargeResult: ...


def luhn_ok(number: str) -> bool:
    digits = [int(d) for d in reversed(number)]
    total = sum(digits[0::2]) + sum(sum(divmod(2 * d, 10)) for d in digits[1::2])
    return total % 10 == 0


class TestGateway:
    """4242 4242 4242 4242 (and any other valid number) approves; 4000 0000 0000 0002 declines;
    4000 0000 0000 9995 declines for insufficient funds."""

    DECLINES = {
        "4000000000000002": "Your card was declined.",
        "4000000000009995": "Your card has insufficient funds.",
    }

    def tokenize(self, number: str, expiry: str, cvc: str) -> CardToken:
        number = "".join(number.split())
        if not number.isdigit() or not 12 <= len(number) <= 19 or not luhn_ok(number):
            raise CardRejected("This card number is not valid.")
        outcome = "decline" + number[-4:] if number in self.DECLINES else "approve"
        return CardToken(
            token=f"tok_test_{outcome}_{secrets.token_hex(6)}", last4=number[-4:], brand="Test"
        )

    def charge(self, token: str, amount: Decimal, currency: str, reference: str) -> ChargeResult:
        if not token.startswith("tok_test_"):
            return ChargeResult(False, "", "This payment could not be processed.")
        if token.startswith("tok_test_decline"):
            last4 = token.removeprefix("tok_test_decline")[:4]
            message = next((m for n, m in self.DECLINES.items() if n.endswith(last4)), "Declined.")
            return ChargeResult(False, "", message)
        return ChargeResult(True, f"test_{secrets.token_hex(8)}", "Approved.")


def get_gateway() -> PaymentGateway:
    return import_string(getattr(settings, "PAYMENT_GATEWAY", DEFAULT_GATEWAY))()
