"""Marketer shares a draft by link: a client without an account sees it read-only, a shopper on
the live page at the same time never does, and a revoked or expired link is refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from e2e.conftest import wait_for_htmx
from e2e.journey import assert_no_sideways_scroll

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_preview_link_for_a_client_while_shoppers_see_live(live_server, browser, login_as):
    from django.utils import timezone

    from apps.layout import services
    from apps.layout.models import LayoutBlock, PreviewLink
    from tests.factories import ProductFactory
    from tests.layout.factories import banner, grid_skus, hero, marketer, publish_home

    lamp = ProductFactory(name="Preview lamp")
    publish_home(
        ("hero", hero("Spring is here")),
        ("main", banner("Free shipping")),
        ("main", grid_skus([lamp.sku])),
    )
    user = marketer(username="mia", first_name="Mia")
    hero_key = f"b{LayoutBlock.objects.get(type='hero').pk}"

    marketer_ctx, client_ctx, shopper_ctx = (browser.new_context() for _ in range(3))
    login_as(user, browser_context=marketer_ctx)
    m, c, s = marketer_ctx.new_page(), client_ctx.new_page(), shopper_ctx.new_page()

    # The marketer drafts a new hero in place and shares the draft.
    m.goto(live_server.url + "/")
    m.get_by_role("button", name="Draft", exact=True).click()
    wait_for_htmx(m)
    m.locator(f"#block-{hero_key}").get_by_role("button", name="Edit").click()
    wait_for_htmx(m)
    m.get_by_label("Heading").fill("Summer sale")
    m.get_by_role("button", name="Save to draft").click()
    wait_for_htmx(m)
    expect(m.get_by_test_id("change-count")).to_have_text("1 unpublished change")
    m.get_by_role("link", name="Share…").click()
    wait_for_htmx(m)
    m.get_by_label("Valid for").select_option("72")
    m.get_by_role("button", name="Create link").click()
    wait_for_htmx(m)
    url = m.get_by_test_id("preview-url").first.input_value()
    assert "/layout/preview/" in url

    # The client, not logged in, sees the draft read-only and cannot add to cart.
    c.goto(url)
    expect(c.get_by_test_id("hero-heading")).to_have_text("Summer sale")
    expect(c.get_by_test_id("preview-banner")).to_contain_text("read-only")
    expect(c.get_by_test_id("preview-banner")).to_contain_text("expires on")
    expect(c.locator('meta[name="robots"]')).to_have_attribute("content", "noindex, nofollow")
    expect(c.get_by_test_id("add-to-cart")).to_be_disabled()
    expect(c.get_by_test_id("layout-toolbar")).to_have_count(0)

    # A shopper on the live page at the same time never sees the draft, before or after.
    s.goto(live_server.url + "/")
    expect(s.get_by_test_id("hero-heading")).to_have_text("Spring is here")
    c.reload()
    expect(c.get_by_test_id("hero-heading")).to_have_text("Summer sale")
    s.reload()
    expect(s.get_by_test_id("hero-heading")).to_have_text("Spring is here")
    expect(s.get_by_test_id("add-to-cart")).to_be_enabled()

    # Later edits do not change what the client reviews.
    services.set_fields(user, "home", hero_key, {"content": {"heading": "Autumn"}})
    c.reload()
    expect(c.get_by_test_id("hero-heading")).to_have_text("Summer sale")

    # Revoked: refused, and not the live page passed off as the draft.
    m.get_by_role("button", name="Revoke").click()
    wait_for_htmx(m)
    response = c.goto(url)
    assert response.status == 410
    expect(c.get_by_test_id("preview-gone")).to_contain_text("withdrawn")
    expect(c.get_by_test_id("hero-heading")).to_have_count(0)

    # Expired (the clock moved past the stored expiry): refused too.
    m.get_by_role("button", name="Create link").click()
    wait_for_htmx(m)
    second = m.get_by_test_id("preview-url").first.input_value()
    assert second != url
    assert c.goto(second).status == 200
    PreviewLink.objects.filter(revoked_at=None).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    response = c.goto(second)
    assert response.status == 410
    expect(c.get_by_test_id("preview-gone")).to_contain_text("expired")
    expect(c.get_by_test_id("hero-heading")).to_have_count(0)
    for ctx in (marketer_ctx, client_ctx, shopper_ctx):
        ctx.close()


def test_device_preview_switches_width_in_place(live_server, page, login_as):
    from tests.layout.factories import banner, hero, marketer, publish_home

    publish_home(("hero", hero("Spring is here")), ("main", banner("Free shipping")))
    login_as(marketer(username="mia"))
    page.goto(live_server.url + "/")
    page.evaluate("window.__noReload = true")
    toolbar = page.get_by_test_id("layout-toolbar")
    toolbar.get_by_role("button", name="Phone").click()
    wait_for_htmx(page)
    expect(page.locator("#layout")).to_have_attribute("data-device", "phone")
    assert page.locator("#layout").bounding_box()["width"] <= 390
    toolbar = page.get_by_test_id("layout-toolbar")
    toolbar.get_by_role("button", name="Tablet").click()
    wait_for_htmx(page)
    width = page.locator("#layout").bounding_box()["width"]
    assert 390 < width <= 820
    page.get_by_test_id("layout-toolbar").get_by_role("button", name="Desktop").click()
    wait_for_htmx(page)
    assert page.locator("#layout").bounding_box()["width"] > 820
    assert page.evaluate("window.__noReload") is True  # in place, no reload


def test_publish_at_then_the_worker_publishes_it_and_a_revision_is_looked_at_before_restore(
    live_server, page, login_as
):
    from django.utils import timezone

    from apps.layout.models import LayoutBlock, ScheduledPublish
    from tests.layout.factories import banner, hero, marketer, publish_home
    from tests.worker import run_pending_tasks

    publish_home(("hero", hero("Spring is here")), ("main", banner("Winter sale")))
    hero_key = f"b{LayoutBlock.objects.get(type='hero').pk}"
    login_as(marketer(username="mia"))
    page.goto(live_server.url + "/")
    page.get_by_role("button", name="Draft", exact=True).click()
    wait_for_htmx(page)
    page.locator(f"#block-{hero_key}").get_by_role("button", name="Edit").click()
    wait_for_htmx(page)
    page.get_by_label("Heading").fill("Monday campaign")
    page.get_by_role("button", name="Save to draft").click()
    wait_for_htmx(page)

    # Publish at… Monday 08:00 (shop time), from a dialog in the page.
    monday = timezone.localtime(timezone.now() + timedelta(days=3)).replace(
        hour=8, minute=0, second=0, microsecond=0
    )
    page.get_by_role("link", name="Publish at…").click()
    wait_for_htmx(page)
    page.get_by_label("Publish at").fill(monday.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Schedule publish").click()
    wait_for_htmx(page)
    row = page.get_by_test_id("schedule")
    expect(row).to_contain_text(monday.strftime("%Y-%m-%d 08:00"))
    expect(row).to_contain_text("Pending")

    # Monday comes (the controlled clock): the worker publishes it.
    item = ScheduledPublish.objects.get()
    ScheduledPublish.objects.filter(pk=item.pk).update(run_at=timezone.now())
    run_pending_tasks(include_delayed=True)
    page.goto(live_server.url + "/layout/home/schedules/")
    expect(page.get_by_test_id("schedule")).to_contain_text("Published (v2)")

    # Look at v1 in the page, then restore it with the number of blocks it changes.
    page.goto(live_server.url + "/layout/home/revisions/")
    page.get_by_role("button", name="Look and restore…").click()
    expect(page.get_by_test_id("hero-heading")).to_have_text("Spring is here")
    confirm = page.get_by_test_id("restore-confirm")
    expect(confirm).to_contain_text("Restoring it changes 1 block")
    expect(confirm).to_contain_text("Changes Hero 'Monday campaign' back to Hero 'Spring is here'")
    confirm.get_by_role("button", name="Restore v1: change 1 block").click()
    page.wait_for_url(live_server.url + "/")
    expect(page.get_by_test_id("hero-heading")).to_have_text("Spring is here")


def test_revisions_fit_a_phone_and_scroll_in_their_own_box(live_server, page, login_as):
    """At 320 px the revisions table is wider than the screen: it scrolls inside its region (the
    page never scrolls sideways) and its "Look and restore…" is still reached and followed."""
    from apps.layout import services
    from apps.layout.models import LayoutBlock
    from tests.layout.factories import hero, marketer, publish_home

    publish_home(("hero", hero("Spring is here")))
    user = login_as(marketer(username="mia"))
    key = f"b{LayoutBlock.objects.get(type='hero').pk}"
    services.set_fields(user, "home", key, {**hero("Summer is here")})
    services.publish(user, "home")
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(live_server.url + "/layout/home/revisions/")
    assert_no_sideways_scroll(page)
    region = page.get_by_role("region", name="Revisions")
    assert region.evaluate("(el) => el.scrollWidth > el.clientWidth")  # it does scroll
    box = region.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 320, box
    region.focus()  # the keyboard can scroll it too
    page.keyboard.press("ArrowRight")
    page.get_by_role("button", name="Look and restore…").click()
    expect(page.get_by_test_id("hero-heading")).to_have_text("Spring is here")
