"""The typed checkout session: the steps' order and what invalidates the review."""

from __future__ import annotations

from apps.checkout.session import CheckoutSession


def test_steps_are_completed_in_order_and_any_change_needs_a_new_review():
    session: dict = {}
    state = CheckoutSession.load(session)
    assert state.first_missing() == "address" and not state.may_open("shipping")
    assert state.complete("address", {"email": "a@example.com"}) == "shipping"
    assert state.complete("shipping", "express") == "payment"
    state.token = "reviewed-token"
    assert state.complete("payment", {"token": "tok", "last4": "4242"}) == "review"
    assert state.token is None and state.first_missing() == "review"
    state.save(session)
    again = CheckoutSession.load(session)
    assert again == state and session["checkout"]["shipping"] == "express"
    again.payment_failed()
    assert again.first_missing() == "payment"


def test_unknown_keys_in_a_stored_session_survive_a_round_trip():
    session = {"checkout": {"shipping": "standard", "legacy": 1}}
    state = CheckoutSession.load(session)
    state.save(session)
    assert session["checkout"] == {"shipping": "standard", "legacy": 1}
    CheckoutSession.clear(session)
    assert session == {}
