"""Wishlist journeys: anonymous hearts in localStorage, merged on login, never lost on failure.

Runs against the real catalog pages: /catalog/ (product cards with hearts) and
/products/<slug>/ (the product page's heart).
"""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from apps.wishlist.models import WishlistItem
from e2e.conftest import wait_for_htmx
from tests.factories import PASSWORD, ProductFactory, UserFactory, set_price

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

KEY = "hypershop:wishlist"


def stored(page) -> list[dict]:
    return json.loads(page.evaluate(f"localStorage.getItem('{KEY}') || '[]'"))


def heart(page, product):
    return page.locator(f"#wishlist-heart-{product.pk} button")


def counter(page):
    return page.get_by_test_id("wishlist-count")


def log_in(page, user) -> None:
    page.get_by_role("link", name="Log in").click()
    wait_for_htmx(page)
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    wait_for_htmx(page)
    expect(page.get_by_test_id("user-name")).to_be_visible()


def wait_until_merged(page) -> None:
    page.wait_for_function(f"() => localStorage.getItem('{KEY}') === null", timeout=10_000)


def test_anonymous_hearts_survive_reload_and_merge_on_login(live_server, page):
    user = UserFactory(username="olive", first_name="Olive")
    lamp = ProductFactory(name="Lamp", current_price=Decimal("40.00"))
    mug = ProductFactory(name="Mug", current_price=Decimal("12.00"))
    chair = ProductFactory(name="Chair", current_price=Decimal("150.00"))
    # A CSP violation or a script error shows up here.
    errors: list[str] = []
    page.on(
        "console",
        lambda message: (
            message.type == "error"
            and errors.append(f"{message.text} {message.location.get('url')}")
        ),
    )

    page.goto(live_server.url + "/catalog/")
    page.evaluate("window.__noReload = true")
    heart(page, lamp).click()
    heart(page, mug).click()
    expect(heart(page, lamp)).to_have_attribute("aria-pressed", "true")
    expect(heart(page, mug)).to_have_attribute("aria-pressed", "true")
    expect(heart(page, chair)).to_have_attribute("aria-pressed", "false")
    expect(counter(page)).to_have_text("2")

    page.goto(live_server.url + f"/products/{chair.slug}/")
    heart(page, chair).click()
    expect(heart(page, chair)).to_have_attribute("aria-pressed", "true")
    expect(counter(page)).to_have_text("3")

    page.reload()
    expect(heart(page, chair)).to_have_attribute("aria-pressed", "true")
    expect(counter(page)).to_have_text("3")
    page.goto(live_server.url + "/catalog/")
    expect(heart(page, lamp)).to_have_attribute("aria-pressed", "true")
    expect(heart(page, mug)).to_have_attribute("aria-pressed", "true")
    assert {item["productId"] for item in stored(page)} == {lamp.pk, mug.pk, chair.pk}
    assert {item["priceSnapshot"] for item in stored(page)} == {"40.00", "12.00", "150.00"}
    assert WishlistItem.objects.count() == 0  # nothing on the server yet

    # The lamp goes on sale before the shopper comes back and logs in.
    set_price(lamp, "30.00")
    page.evaluate("window.__noReload = true")
    merges: list = []
    page.on("request", lambda request: "/wishlist/merge/" in request.url and merges.append(request))
    log_in(page, user)  # hx-boost swaps the page after login: no reload
    wait_until_merged(page)
    assert page.evaluate("window.__noReload") is True
    # One htmx POST with a JSON body and exactly one (current) CSRF token.
    assert len(merges) == 1
    headers = merges[0].headers
    assert headers["hx-request"] == "true" and headers["content-type"] == "application/json"
    assert "," not in headers["x-csrftoken"]
    assert {item["productId"] for item in merges[0].post_data_json["items"]} == {
        lamp.pk,
        mug.pk,
        chair.pk,
    }
    expect(counter(page)).to_have_text("3")

    page.get_by_role("link", name="Wishlist").click()
    wait_for_htmx(page)
    rows = page.get_by_test_id("wishlist-row")
    expect(rows).to_have_count(3)
    lamp_row = rows.filter(has_text="Lamp")
    expect(lamp_row.get_by_test_id("saved-price")).to_contain_text("40.00")
    expect(lamp_row.get_by_test_id("current-price")).to_contain_text("30.00")
    expect(lamp_row.get_by_test_id("price-dropped")).to_be_visible()
    expect(rows.filter(has_text="Mug").get_by_test_id("saved-price")).to_contain_text("12.00")
    expect(rows.filter(has_text="Chair").get_by_test_id("saved-price")).to_contain_text("150.00")
    assert stored(page) == []
    assert WishlistItem.objects.filter(user=user).count() == 3

    # Add to cart from the wishlist: the badge follows in place.
    page.get_by_role("button", name=re.compile("Add to cart.*Lamp")).click()
    wait_for_htmx(page)
    expect(page.get_by_test_id("cart-count")).to_have_text("1")
    expect(rows).to_have_count(3)

    # Signed in, the hearts are the server's: un-heart the mug from the wishlist page.
    heart(page, mug).click()
    wait_for_htmx(page)
    expect(heart(page, mug)).to_have_attribute("aria-pressed", "false")
    expect(counter(page)).to_have_text("2")
    assert WishlistItem.objects.filter(user=user).count() == 2
    assert [error for error in errors if "favicon.ico" not in error] == []


def test_failed_merge_keeps_the_list_and_the_next_login_merges_it(live_server, page):
    user = UserFactory(username="piet", first_name="Piet")
    kettle = ProductFactory(name="Kettle")
    toaster = ProductFactory(name="Toaster")
    calls: list[int] = []

    def fail_once(route):
        calls.append(1)
        if len(calls) == 1:
            route.fulfill(status=500, content_type="text/html", body="<h1>Server error</h1>")
        else:
            route.continue_()

    page.route("**/wishlist/merge/", fail_once)
    page.goto(live_server.url + "/catalog/")
    heart(page, kettle).click()
    heart(page, toaster).click()
    expect(counter(page)).to_have_text("2")

    with page.expect_console_message(lambda message: "merge failed" in message.text):
        log_in(page, user)
    assert len(calls) == 1
    assert {item["productId"] for item in stored(page)} == {kettle.pk, toaster.pk}
    assert not WishlistItem.objects.exists()

    page.get_by_role("button", name="Log out").click()
    wait_for_htmx(page)
    expect(counter(page)).to_have_text("2")  # still the browser's list
    log_in(page, user)
    wait_until_merged(page)
    assert len(calls) == 2
    assert set(WishlistItem.objects.values_list("product_id", flat=True)) == {
        kettle.pk,
        toaster.pk,
    }
    expect(counter(page)).to_have_text("2")


def test_anonymous_wishlist_page_renders_the_browser_list(live_server, page):
    vase = ProductFactory(name="Vase", current_price=Decimal("25.00"), stock=0)
    ProductFactory(name="Rug")
    page.goto(live_server.url + "/catalog/")
    heart(page, vase).click()
    page.get_by_role("link", name="Wishlist").click()
    wait_for_htmx(page)
    rows = page.get_by_test_id("wishlist-row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Vase")
    expect(rows.first).to_contain_text("Out of stock")
    expect(rows.first.get_by_test_id("saved-price")).to_contain_text("25.00")
    # Un-hearting here updates the browser's list and the counter.
    heart(page, vase).click()
    expect(counter(page)).to_have_text("0")
    assert stored(page) == []


def test_sign_up_merges_the_browser_list(live_server, page):
    teapot = ProductFactory(name="Teapot")
    page.goto(live_server.url + "/catalog/")
    heart(page, teapot).click()
    page.get_by_role("link", name="Sign up").click()
    wait_for_htmx(page)
    page.get_by_label("Username").fill("rosa")
    page.get_by_label("Your name").fill("Rosa")
    page.get_by_label("Email").fill("rosa@example.com")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    wait_for_htmx(page)
    expect(page.get_by_test_id("user-name")).to_have_text("Rosa")
    wait_until_merged(page)
    expect(counter(page)).to_have_text("1")
    item = WishlistItem.objects.get(user__username="rosa")
    assert (item.product_id, item.snapshot_source) == (teapot.pk, "client")


def test_hearts_without_javascript(live_server, browser, login_as):
    """No script: anonymous hearts lead to the login page; signed-in hearts post and redirect."""
    scarf = ProductFactory(name="Scarf")
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/catalog/")
    heart(page, scarf).click()
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=%2Fcatalog%2F$"))

    user = login_as(UserFactory(username="nojs"), browser_context=context)
    page.goto(live_server.url + "/catalog/")
    heart(page, scarf).click()
    expect(page).to_have_url(re.compile(r"/catalog/$"))
    expect(page.get_by_text("Saved Scarf to your wishlist.")).to_be_visible()
    expect(heart(page, scarf)).to_have_attribute("aria-pressed", "true")
    expect(counter(page)).to_have_text("1")
    assert WishlistItem.objects.filter(user=user, product=scarf).exists()
    context.close()
