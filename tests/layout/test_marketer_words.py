"""Marketer tools around the page: words for blocks and changes, a revision seen before it is
restored, device widths, a promo banner's start date."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from apps.layout import cache as keys
from apps.layout import services
from apps.layout.blocks import banner_hidden_reason
from apps.layout.models import LayoutBlock, Revision
from tests.layout.factories import banner, hero, marketer, publish_home, rich

pytestmark = pytest.mark.django_db


@pytest.fixture
def home():
    publish_home(
        ("hero", hero("Spring")),
        ("main", banner("Winter sale")),
        ("main", rich("<p>About</p>")),
        ("main", banner("Free shipping")),
    )
    return {b.content.get("text") or b.type: b for b in LayoutBlock.objects.all()}


def summary(user):
    return services.change_summary(services.selectors.draft_for(user, "home"))


def test_moving_one_block_is_one_change_named_by_type_and_title(home, client):
    user = marketer()
    key = f"b{home['Free shipping'].pk}"
    services.move_block(user, "home", key, "up")
    services.move_block(user, "home", key, "up")  # to the top: three blocks renumbered
    assert summary(user) == ["Moved Promo banner 'Free shipping'"]
    services.set_fields(user, "home", f"b{home['Winter sale'].pk}", {"is_active": False})
    services.set_fields(user, "home", f"b{home['hero'].pk}", {"content": {"heading": "Summer"}})
    assert sorted(summary(user)) == [
        "Edited Hero 'Summer'",
        "Hid Promo banner 'Winter sale'",
        "Moved Promo banner 'Free shipping'",
    ]
    client.force_login(user)
    client.post("/layout/home/mode/", {"mode": "draft"})
    page = client.get("/").text
    assert 'data-testid="change-count">3 unpublished changes<' in page
    assert "Moved Promo banner &#x27;Free shipping&#x27;" in page
    dialog = client.get("/layout/home/publish/").text
    assert "Publish 3 changes?" in dialog and "Hid Promo banner &#x27;Winter sale&#x27;" in dialog


def test_moving_back_and_forth_is_no_change(home):
    user = marketer()
    key = f"b{home['rich_text'].pk}"
    services.move_block(user, "home", key, "up")
    services.move_block(user, "home", key, "down")
    assert summary(user) == []


def test_conflicts_name_the_block(home):
    alice, bob = marketer(), marketer()
    target = f"b{home['Winter sale'].pk}"
    services.set_fields(alice, "home", target, {"is_active": False})
    services.delete_block(bob, "home", target)
    assert services.publish(bob, "home").published
    result = services.publish(alice, "home")
    assert (
        "Promo banner 'Winter sale' was deleted in the newer publish; your draft changes it."
        in (result.conflicts)
    )


def test_a_revision_is_seen_in_the_page_before_restoring_with_the_number_of_blocks(home, client):
    old = Revision.objects.get()
    user = marketer()
    services.set_fields(user, "home", f"b{home['hero'].pk}", {"content": {"heading": "Summer"}})
    services.delete_block(user, "home", f"b{home['Winter sale'].pk}")
    assert services.publish(user, "home").published
    client.force_login(user)
    listing = client.get("/layout/home/revisions/").text
    assert f"/layout/home/revisions/{old.pk}/" in listing and "Look and restore" in listing
    response = client.get(f"/layout/home/revisions/{old.pk}/")
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    html = response.text
    # The old page, in the page: the old hero and the deleted banner are back in the preview.
    body = html[html.index('id="layout"') :]
    assert "Spring" in body and "Winter sale" in body and "Summer" not in body
    assert "Restoring it changes 2 blocks" in html
    assert "Restore v1: change 2 blocks" in html
    changes = re.findall(r"<li>(.*?)</li>", html[html.index("restore-changes") :])[:2]
    assert changes == [
        "Changes Hero &#x27;Summer&#x27; back to Hero &#x27;Spring&#x27;",
        "Brings back Promo banner &#x27;Winter sale&#x27;",
    ]
    # Looking changed nothing; confirming restores and records the count.
    assert LayoutBlock.objects.get(type="hero").content["heading"] == "Summer"
    assert client.post(f"/layout/home/revisions/{old.pk}/restore/").status_code == 302
    assert LayoutBlock.objects.get(type="hero").content["heading"] == "Spring"
    assert Revision.objects.first().change_count == 2
    assert client.get("/layout/home/revisions/999999/").status_code == 404


def test_device_preview_switches_the_width_in_place(home, client):
    client.force_login(marketer())
    response = client.post(
        "/layout/home/device/", {"device": "phone"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert re.match(r'\s*<div id="layout" class="[^"]*layout-device-phone', response.text)
    assert 'value="phone" aria-pressed="true"' in response.text
    client.post("/layout/home/device/", {"device": "<script>"})
    assert "layout-device-desktop" in client.get("/").text
    client.logout()
    assert "layout-device" not in client.get("/").text  # shoppers get the page as it is


def test_a_banner_with_a_start_date_appears_at_its_time(client):
    starts = timezone.now() + timedelta(seconds=20)
    publish_home(("main", banner("Monday deal", starts_at=starts.isoformat())))
    cache.clear()
    page = client.get("/").text
    assert "Monday deal" not in page
    block = LayoutBlock.objects.get()
    render_key = keys.render_key(
        "home", block.pk, block.rev, cache.get(keys.version_key("home")), keys.catalog_version()
    )
    # The cached render expires when the banner starts, so shoppers see it on time.
    assert keys.RENDER_TTL > 30 and 0 < cache.ttl(render_key) <= 21
    client.force_login(marketer())
    assert "Banner starts on" in client.get("/").text
    assert banner_hidden_reason(block.content, starts - timedelta(seconds=1))
    assert banner_hidden_reason(block.content, starts + timedelta(seconds=1)) == ""


def test_a_banner_cannot_end_before_it_starts(client, home):
    client.force_login(marketer())
    response = client.post(
        f"/layout/home/block/b{home['Winter sale'].pk}/edit/",
        {"text": "Winter sale", "starts_at": "2030-01-02 08:00", "ends_at": "2030-01-01 08:00"},
    )
    assert response.status_code == 400 and "must start before it ends" in response.text
