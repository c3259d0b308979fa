"""Payment gateways. `settings.PAYMENT_GATEWAY` names the class.

The card number never reaches the session or the database: `tokenize` turns it into an opaque
token at the payment step (a hosted-fields or redirect gateway does this in the provider's own
page, see the README) and `charge` uses the token when the order is placed.

The protocol is what real providers offer: a sale (`charge` = authorise + capture), `authorise`,
`capture`, `void`, `refund` (idempotent by key), `status` (what happened to the payment of an
order, the question reconciliation asks before it cancels anything) and signed webhooks.
A gateway may answer a charge with "pending" (confirmation comes later by webhook) or not answer
at all (it raises): then the order waits and reconciliation asks `status`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils.module_loading import import_string

DEFAULT_GATEWAY = "apps.checkout.payments.TestGateway"


class CardRejected(Exception):
    """The card details cannot be used at all (shown on the payment step)."""


class GatewayError(Exception):
    """The gateway did not answer (timeout, outage): the outcome is unknown."""


class InvalidWebhook(Exception):
    """A webhook whose signature or body does not check out."""


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
    # The provider accepted the request but confirms later (webhook or status lookup).
    pending: bool = False


@dataclass(frozen=True)
class RefundResult:
    succeeded: bool
    reference: str
    message: str


@dataclass(frozen=True)
class PaymentStatus:
    """What the provider knows of an order's payment: "succeeded", "failed", "pending", or
    "none" (it never saw one)."""

    state: str
    reference: str = ""
    amount: Decimal = Decimal("0.00")


@dataclass(frozen=True)
class WebhookEvent:
    event_id: str
    kind: str  # "payment.succeeded", "payment.failed", "refund.succeeded"
    order_number: str
    reference: str
    amount: Decimal
    payload: dict = field(default_factory=dict)


class PaymentGateway(Protocol):
    def tokenize(self, number: str, expiry: str, cvc: str) -> CardToken: ...

    def charge(
        self, token: str, amount: Decimal, currency: str, reference: str
    ) -> ChargeResult: ...

    def authorise(
        self, token: str, amount: Decimal, currency: str, reference: str
    ) -> ChargeResult: ...

    def capture(self, payment_reference: str, amount: Decimal) -> ChargeResult: ...

    def void(self, payment_reference: str) -> ChargeResult: ...

    def refund(self, payment_reference: str, amount: Decimal, key: str) -> RefundResult: ...

    def status(self, reference: str) -> PaymentStatus: ...

    def parse_webhook(self, body: bytes, signature: str) -> WebhookEvent: ...


def luhn_ok(number: str) -> bool:
    digits = [int(d) for d in reversed(number)]
    total = sum(digits[0::2]) + sum(sum(divmod(2 * d, 10)) for d in digits[1::2])
    return total % 10 == 0


def sign(body: bytes) -> str:
    secret = settings.PAYMENT_WEBHOOK_SECRET.encode()
    return hmac.new(secret, body, hashlib.sha256).hexdigest()


class TestGateway:
    """A provider simulator with its own ledger (TestGatewayCharge), no network.

    4242 4242 4242 4242 (and any other valid number) approves; 4000 0000 0000 0002 declines;
    4000 0000 0000 9995 declines for insufficient funds; 4000 0000 0000 3220 is confirmed later
    (pending, then a webhook); 4000 0000 0000 0119 times out but the charge went through;
    4000 0000 0000 0127 times out and nothing was charged.
    """

    __test__ = False  # not a pytest test class

    DECLINES = {
        "4000000000000002": "Your card was declined.",
        "4000000000009995": "Your card has insufficient funds.",
    }
    SPECIAL = {
        "4000000000003220": "async",
        "4000000000000119": "timeoutok",
        "4000000000000127": "timeoutfail",
    }

    def tokenize(self, number: str, expiry: str, cvc: str) -> CardToken:
        number = "".join(number.split())
        if not number.isdigit() or not 12 <= len(number) <= 19 or not luhn_ok(number):
            raise CardRejected("This card number is not valid.")
        if number in self.DECLINES:
            outcome = "decline" + number[-4:]
        else:
            outcome = self.SPECIAL.get(number, "approve")
        return CardToken(
            token=f"tok_test_{outcome}_{secrets.token_hex(6)}", last4=number[-4:], brand="Test"
        )

    def _record(self, reference: str, amount: Decimal, currency: str, status: str):
        from .models import TestGatewayCharge

        return TestGatewayCharge.objects.create(
            order_reference=reference,
            reference=f"test_{secrets.token_hex(8)}",
            amount=amount,
            currency=currency,
            status=status,
        )

    def authorise(self, token: str, amount: Decimal, currency: str, reference: str):
        return self._pay(token, amount, currency, reference, capture=False)

    def charge(self, token: str, amount: Decimal, currency: str, reference: str) -> ChargeResult:
        return self._pay(token, amount, currency, reference, capture=True)

    def _pay(self, token, amount, currency, reference, *, capture: bool) -> ChargeResult:
        from .models import TestGatewayCharge

        Status = TestGatewayCharge.Status
        if not token.startswith("tok_test_"):
            return ChargeResult(False, "", "This payment could not be processed.")
        if token.startswith("tok_test_decline"):
            last4 = token.removeprefix("tok_test_decline")[:4]
            message = next((m for n, m in self.DECLINES.items() if n.endswith(last4)), "Declined.")
            self._record(reference, amount, currency, Status.FAILED)
            return ChargeResult(False, "", message)
        if token.startswith("tok_test_timeoutok"):
            self._record(reference, amount, currency, Status.CAPTURED)
            raise GatewayError("The payment provider did not answer in time.")
        if token.startswith("tok_test_timeoutfail"):
            raise GatewayError("The payment provider did not answer in time.")
        if token.startswith("tok_test_async"):
            charge = self._record(reference, amount, currency, Status.PENDING)
            return ChargeResult(False, charge.reference, "Awaiting confirmation.", pending=True)
        status = Status.CAPTURED if capture else Status.AUTHORISED
        charge = self._record(reference, amount, currency, status)
        return ChargeResult(True, charge.reference, "Approved.")

    def capture(self, payment_reference: str, amount: Decimal) -> ChargeResult:
        from .models import TestGatewayCharge

        done = TestGatewayCharge.objects.filter(
            reference=payment_reference, status=TestGatewayCharge.Status.AUTHORISED
        ).update(status=TestGatewayCharge.Status.CAPTURED, amount=amount)
        return ChargeResult(bool(done), payment_reference, "Captured." if done else "Not found.")

    def void(self, payment_reference: str) -> ChargeResult:
        from .models import TestGatewayCharge

        done = TestGatewayCharge.objects.filter(
            reference=payment_reference, status=TestGatewayCharge.Status.AUTHORISED
        ).update(status=TestGatewayCharge.Status.VOIDED)
        return ChargeResult(bool(done), payment_reference, "Voided." if done else "Not found.")

    def refund(self, payment_reference: str, amount: Decimal, key: str) -> RefundResult:
        """Idempotent by `key`: the same key refunds once, however often it is sent."""
        from .models import TestGatewayCharge

        with transaction.atomic():
            charge = (
                TestGatewayCharge.objects.select_for_update()
                .filter(reference=payment_reference, status=TestGatewayCharge.Status.CAPTURED)
                .first()
            )
            if charge is None:
                return RefundResult(False, "", "No captured payment to refund.")
            if key in charge.refund_keys:
                return RefundResult(True, f"re_{key[:12]}", "Already refunded.")
            if charge.refunded + amount > charge.amount:
                return RefundResult(False, "", "The refund exceeds what was paid.")
            TestGatewayCharge.objects.filter(pk=charge.pk).update(
                refunded=F("refunded") + amount, refund_keys=[*charge.refund_keys, key]
            )
        return RefundResult(True, f"re_{key[:12]}", "Refunded.")

    def status(self, reference: str) -> PaymentStatus:
        from .models import TestGatewayCharge

        charge = TestGatewayCharge.objects.filter(order_reference=reference).first()
        if charge is None:
            return PaymentStatus("none")
        state = {
            TestGatewayCharge.Status.CAPTURED: "succeeded",
            TestGatewayCharge.Status.PENDING: "pending",
            TestGatewayCharge.Status.AUTHORISED: "pending",
        }.get(charge.status, "failed")
        return PaymentStatus(state, charge.reference, charge.amount)

    def parse_webhook(self, body: bytes, signature: str) -> WebhookEvent:
        if not signature or not hmac.compare_digest(sign(body), signature):
            raise InvalidWebhook("Bad signature.")
        try:
            data = json.loads(body)
            return WebhookEvent(
                event_id=str(data["id"])[:100],
                kind=str(data["type"]),
                order_number=str(data["order"])[:20],
                reference=str(data.get("reference", ""))[:80],
                amount=Decimal(str(data.get("amount", "0"))),
                payload=data,
            )
        except (ValueError, KeyError, TypeError, ArithmeticError) as error:
            raise InvalidWebhook("Malformed event.") from error

    # The simulator's side of asynchronous confirmation: settle a pending charge and produce
    # the signed webhook the provider would send (tests and the demo post it).
    def settle(self, order_reference: str, succeeded: bool = True) -> tuple[bytes, str]:
        from .models import TestGatewayCharge

        charge = TestGatewayCharge.objects.get(order_reference=order_reference)
        status = TestGatewayCharge.Status.CAPTURED if succeeded else TestGatewayCharge.Status.FAILED
        TestGatewayCharge.objects.filter(pk=charge.pk).update(status=status)
        return self.webhook(
            "payment.succeeded" if succeeded else "payment.failed",
            order_reference,
            charge.reference,
            charge.amount,
        )

    @staticmethod
    def webhook(
        kind: str, order_reference: str, reference: str, amount: Decimal, event_id: str = ""
    ) -> tuple[bytes, str]:
        body = json.dumps(
            {
                "id": event_id or f"evt_{secrets.token_hex(8)}",
                "type": kind,
                "order": order_reference,
                "reference": reference,
                "amount": str(amount),
            }
        ).encode()
        return body, sign(body)


def get_gateway() -> PaymentGateway:
    return import_string(getattr(settings, "PAYMENT_GATEWAY", DEFAULT_GATEWAY))()
