"""The customer account in Chromium: a forgotten password, the account area from the header,
checkout with a saved address (with and without JavaScript), deleting the account."""

from __future__ import annotations

import re
import uuid
from decimal import Decimal

import pytest
from django.core import mail
from playwright.sync_api import expect

from apps.accounts.models import Address
from apps.checkout import services
from apps.checkout.models import Order
from e2e.conftest import wait_for_htmx
from tests.checkout.factories import (
    ADDRESS,
    APPROVE,
    card_token,
    cart_with,
    reviewed,
    staff_with_order_group,
)
from tests.factories import PASSWORD, ProductFactory, UserFactory
from tests.worker import run_pending_tasks

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "a-brand-new-passphrase-77"


def paid_order(user) -> Order:
    cart = cart_with((ProductFactory(current_price=Decimal("12.00"), stock=5), 1), user=user)
    return services.complete_checkout(
        cart_id=cart.pk,
        token=uuid.uuid4(),
        details={**ADDRESS, "email": user.email, "full_name": "Ada Private-Name"},
        shipping_method="standard",
        reviewed=reviewed(cart, user=user),
        payment_token=card_token(),
        user=user,
    ).order


def test_forgotten_password_by_email(live_server, page, settings):
    settings.SITE_URL = live_server.url
    UserFactory(username="ada", first_name="Ada", email="ada@example.com")
    mail.outbox.clear()
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_test_id("forgot-password").click()
    wait_for_htmx(page)
    page.get_by_label("E-mail").fill("ada@example.com")
    page.get_by_role("button", name="Send the link").click()
    wait_for_htmx(page)
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()
    assert mail.outbox == []  # the worker sends it
    assert run_pending_tasks() == 1
    (message,) = mail.outbox
    assert message.to == ["ada@example.com"]
    link = re.search(r"http\S+/accounts/password/reset/\S+/", message.body)[0]
    assert link.startswith(live_server.url)

    page.goto(link)
    page.locator("#id_new_password1").fill(NEW_PASSWORD)
    page.locator("#id_new_password2").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set my password").click()
    wait_for_htmx(page)
    expect(page.get_by_text("Your password was changed and you are signed in.")).to_be_visible()
    expect(page.get_by_test_id("user-name")).to_have_text("Ada")
    page.goto(link)  # the link worked once
    expect(page.get_by_test_id("invalid-link")).to_be_visible()


def test_account_area_from_the_header(live_server, page, login_as):
    user = login_as(UserFactory(first_name="Grace", email="grace@example.com"))
    order = paid_order(user)
    page.goto(live_server.url + "/")
    page.get_by_test_id("user-name").click()
    wait_for_htmx(page)
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    expect(page.get_by_test_id("account-email")).to_have_text("grace@example.com")

    nav = page.get_by_role("navigation", name="Your account")
    nav.get_by_role("link", name="Orders").click()
    wait_for_htmx(page)
    row = page.get_by_test_id("account-order")
    expect(row).to_contain_text(order.number)
    expect(page.get_by_test_id("account-order-status")).to_have_text("Paid")
    expect(row.get_by_test_id("timeline-event")).to_have_count(2)

    nav.get_by_role("link", name="Addresses").click()
    wait_for_htmx(page)
    page.get_by_test_id("address-new").click()
    wait_for_htmx(page)
    page.get_by_label("Full name").fill("Grace Home")
    page.get_by_label("Street and number").fill("7 Harbour Street")
    page.get_by_label("Postal code").fill("1011")
    page.get_by_label("City").fill("Amsterdam")
    page.get_by_label("Country").select_option("NL")
    page.get_by_role("button", name="Save address").click()
    wait_for_htmx(page)
    expect(page.get_by_test_id("saved-address")).to_contain_text("7 Harbour Street")
    expect(page.get_by_test_id("default-shipping")).to_be_visible()
    nav.get_by_role("link", name="Wishlist").click()
    wait_for_htmx(page)
    expect(page).to_have_url(re.compile(r"/wishlist/$"))


@pytest.mark.parametrize("js", [True, False], ids=["htmx", "no-javascript"])
def test_checkout_with_a_saved_address(live_server, browser, js):
    context = browser.new_context(java_script_enabled=js)
    try:
        from e2e.conftest import session_cookie

        user = UserFactory(email="ada@example.com")
        context.add_cookies([session_cookie(live_server, user)])
        Address.objects.create(
            user=user,
            full_name="Ada Home",
            address_line1="1 Home Street",
            postal_code="10115",
            city="Berlin",
            country="DE",
            is_default_shipping=True,
        )
        Address.objects.create(
            user=user,
            full_name="Ada Work",
            address_line1="9 Office Road",
            postal_code="75001",
            city="Paris",
            country="FR",
        )
        cart_with((ProductFactory(current_price=Decimal("12.00"), stock=5), 1), user=user)
        page = context.new_page()
        page.goto(live_server.url + "/checkout/")
        expect(page.get_by_label("Street and number")).to_have_value("1 Home Street")
        if js:
            page.evaluate("window.__noReload = true")
        page.get_by_label(re.compile("9 Office Road")).check()
        page.get_by_test_id("use-saved-address").click()
        if js:
            wait_for_htmx(page)
            assert page.evaluate("window.__noReload") is True
        expect(page.get_by_label("Street and number")).to_have_value("9 Office Road")
        expect(page.get_by_label("Country")).to_have_value("FR")
        page.get_by_role("button", name="Continue").click()
        expect(page).to_have_url(re.compile(r"/checkout/shipping/$"))
        page.get_by_role("button", name="Continue").click()
        page.get_by_label("Card number").fill(APPROVE)
        page.get_by_label("Expiry (MM/YY)").fill("12/40")
        page.get_by_label("CVC").fill("123")
        page.get_by_role("button", name="Continue").click()
        expect(page).to_have_url(re.compile(r"/checkout/review/$"))
        page.get_by_test_id("place-order").click()
        expect(page.get_by_test_id("order-status")).to_have_text("Paid")
        order = Order.objects.get(user=user)
        assert (order.full_name, order.address_line1, order.country) == (
            "Ada Work",
            "9 Office Road",
            "FR",
        )
    finally:
        context.close()


def test_deleting_the_account_anonymises_the_order_for_staff(live_server, browser, page, login_as):
    user = login_as(UserFactory(email="leaving@example.com"))
    order = paid_order(user)
    page.goto(live_server.url + "/accounts/")
    page.get_by_test_id("delete-account").click()
    wait_for_htmx(page)
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_label(re.compile("I understand")).check()
    page.get_by_test_id("confirm-delete").click()
    wait_for_htmx(page)
    expect(page.get_by_text("Your account was deleted.")).to_be_visible()
    expect(page.get_by_role("link", name="Log in")).to_be_visible()

    staff = browser.new_context()
    try:
        login_as(staff_with_order_group(), staff)
        admin = staff.new_page()
        admin.goto(f"{live_server.url}/admin/checkout/order/{order.pk}/change/")
        expect(admin.get_by_text("Anonymised customer").first).to_be_visible()
        body = admin.content()
        assert "leaving@example.com" not in body and "Ada Private-Name" not in body
        assert order.number in body
    finally:
        staff.close()
