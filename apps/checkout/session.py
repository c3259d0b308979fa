"""The checkout session: what the shopper entered, step by step, typed and in one place.

Stored in the Django session under "checkout" as a plain dict (the same keys as before, so a
checkout in flight survives a deploy); everything else reads and writes it through this class.
The steps, their titles and their order are defined here and nowhere else.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

SESSION_KEY = "checkout"
STEPS = ["address", "shipping", "payment", "review"]
STEP_TITLES = {
    "address": "Contact & address",
    "shipping": "Shipping",
    "payment": "Payment",
    "review": "Review",
}


@dataclass
class CheckoutSession:
    address: dict[str, str] | None = None
    shipping: str | None = None
    # {"token": opaque gateway token, "last4": "4242"}: never the card number.
    payment: dict[str, str] | None = None
    # The review's idempotency token and the quote the shopper saw there.
    token: str | None = None
    reviewed: str | None = None
    reviewed_total: str | None = None
    price_changed: dict[str, str] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Any) -> CheckoutSession:
        raw = dict(session.get(SESSION_KEY) or {})
        known = {f.name for f in fields(cls)} - {"extra"}
        return cls(
            **{k: v for k, v in raw.items() if k in known},
            extra={k: v for k, v in raw.items() if k not in known},
        )

    def save(self, session: Any) -> None:
        data = {k: v for k, v in asdict(self).items() if k != "extra" and v is not None}
        session[SESSION_KEY] = {**self.extra, **data}

    @staticmethod
    def clear(session: Any) -> None:
        session.pop(SESSION_KEY, None)

    def first_missing(self) -> str:
        """The first step the shopper still has to complete ("review" when none)."""
        for step in STEPS[:-1]:
            if not getattr(self, step):
                return step
        return "review"

    def may_open(self, step: str) -> bool:
        return STEPS.index(step) <= STEPS.index(self.first_missing())

    def complete(self, step: str, value: Any) -> str:
        """Store a step's answer; any change invalidates the review's token. Returns the next
        step."""
        setattr(self, step, value)
        self.token = None
        return STEPS[STEPS.index(step) + 1]

    def payment_failed(self) -> None:
        """A declined card: the shopper chooses another, the review gets a fresh token."""
        self.payment = None
        self.token = None
