"""Marketer drafts, previews and publishes the home page while a shopper keeps seeing live."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from e2e.conftest import wait_for_htmx

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def main_order(page) -> list[str]:
    return page.locator(".layout-region-main [data-testid=block]").evaluate_all(
        "els => els.map(e => e.className.match(/layout-block-(\\w+)/)[1])"
    )


def test_marketer_drafts_previews_and_publishes_while_shopper_sees_live(
    live_server, browser, login_as
):
    from apps.layout.models import LayoutBlock
    from tests.layout.factories import banner, hero, marketer, publish_home, rich

    publish_home(
        ("hero", hero("Spring is here")),
        ("main", banner("Free shipping")),
        ("main", rich("<p>About us</p>")),
    )
    hero_key = f"b{LayoutBlock.objects.get(type='hero').pk}"
    banner_key = f"b{LayoutBlock.objects.get(type='promo_banner').pk}"
    user = marketer(username="mia", first_name="Mia")

    marketer_ctx, shopper_ctx = browser.new_context(), browser.new_context()
    login_as(user, browser_context=marketer_ctx)
    m = marketer_ctx.new_page()
    csp_errors: list[str] = []
    m.on(
        "console",
        lambda msg: csp_errors.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    s = shopper_ctx.new_page()
    m.goto(live_server.url + "/")
    m.evaluate("window.__noReload = true")

    m.get_by_role("button", name="Draft", exact=True).click()
    wait_for_htmx(m)
    expect(m.locator("#layout")).to_have_attribute("data-layout-mode", "draft")

    # Edit the hero text in place: the form swaps into the block.
    m.locator(f"#block-{hero_key}").get_by_role("button", name="Edit").click()
    wait_for_htmx(m)
    m.get_by_label("Heading").fill("Summer sale")
    m.get_by_role("button", name="Save to draft").click()
    wait_for_htmx(m)
    expect(m.get_by_test_id("hero-heading")).to_have_text("Summer sale")

    # Reorder: the banner moves below the rich text.
    m.locator(f"#block-{banner_key}").get_by_role("button", name="Move down").click()
    wait_for_htmx(m)
    assert main_order(m) == ["rich_text", "promo_banner"]
    assert m.evaluate("window.__noReload") is True

    # The shopper still sees the published page.
    s.goto(live_server.url + "/")
    expect(s.get_by_test_id("hero-heading")).to_have_text("Spring is here")
    assert main_order(s) == ["promo_banner", "rich_text"]
    expect(s.get_by_test_id("layout-toolbar")).to_have_count(0)

    # Live / Draft toggle in place.
    m.get_by_role("button", name="Live", exact=True).click()
    wait_for_htmx(m)
    expect(m.get_by_test_id("hero-heading")).to_have_text("Spring is here")
    assert main_order(m) == ["promo_banner", "rich_text"]
    m.get_by_role("button", name="Draft", exact=True).click()
    wait_for_htmx(m)
    expect(m.get_by_test_id("hero-heading")).to_have_text("Summer sale")

    # Log out and back in (a new session): the draft is still there.
    m.get_by_role("button", name="Log out").click()
    wait_for_htmx(m)
    expect(m.get_by_role("link", name="Log in")).to_be_visible()
    expect(m.get_by_test_id("hero-heading")).to_have_text("Spring is here")
    login_as(user, browser_context=marketer_ctx)
    m.goto(live_server.url + "/")
    # The edit and the move: moving one block is one change, however many were renumbered.
    expect(m.get_by_test_id("change-count")).to_have_text("2 unpublished changes")
    m.get_by_role("button", name="Draft", exact=True).click()
    wait_for_htmx(m)
    expect(m.get_by_test_id("hero-heading")).to_have_text("Summer sale")
    assert main_order(m) == ["rich_text", "promo_banner"]

    # Publish with a confirmation showing the change count.
    m.get_by_role("button", name="Publish…").click()
    wait_for_htmx(m)
    dialog = m.get_by_test_id("publish-dialog")
    expect(dialog).to_contain_text("Publish 2 changes?")
    dialog.get_by_role("button", name="Publish 2 changes").click()
    wait_for_htmx(m)
    expect(m.get_by_test_id("change-count")).to_have_text("0 unpublished changes")

    s.reload()
    expect(s.get_by_test_id("hero-heading")).to_have_text("Summer sale")
    assert main_order(s) == ["rich_text", "promo_banner"]
    assert csp_errors == []
    marketer_ctx.close()
    shopper_ctx.close()
