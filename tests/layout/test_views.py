"""The home page and the in-page tools: who sees what, caching, invalid blocks, fragments."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.core.management import call_command

from apps.layout import services
from apps.layout.models import LayoutBlock
from tests.factories import CategoryFactory, ProductFactory, StaffFactory, UserFactory
from tests.layout.factories import banner, grid_skus, hero, marketer, publish_home

pytestmark = pytest.mark.django_db


@pytest.fixture
def home():
    publish_home(("hero", hero("Live hero")), ("main", banner("Live banner")))
    return LayoutBlock.objects.get(type="hero")


@pytest.fixture
def drafted(home):
    """A marketer with a draft that changes the hero, previewing in draft mode."""
    user = marketer(username="alice")
    services.set_fields(user, "home", f"b{home.pk}", {"content": {"heading": "Draft hero"}})
    return user


def preview_as(client, user):
    client.force_login(user)
    response = client.post("/layout/home/mode/", {"mode": "draft"})
    assert response.status_code == 302
    return client.get("/")


def test_marketer_sees_draft_in_draft_mode_and_live_in_live_mode(client, drafted):
    response = preview_as(client, drafted)
    assert "Draft hero" in response.text and "Live hero" not in response.text
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    client.post("/layout/home/mode/", {"mode": "live"})
    response = client.get("/")
    assert "Live hero" in response.text and "Draft hero" not in response.text
    assert 'data-testid="change-count">1 unpublished change<' in response.text


def test_draft_render_never_reaches_anonymous_even_right_after_preview(client, drafted):
    preview_as(client, drafted)
    client.logout()
    anonymous = client.get("/")
    assert "Live hero" in anonymous.text and "Draft hero" not in anonymous.text
    assert "no-store" not in anonymous.get("Cache-Control", "")
    # ...and the warm anonymous path, served from Redis, is still live.
    assert "Draft hero" not in client.get("/").text
    assert not any("Draft hero" in str(cache.get(k)) for k in cache.keys("layout:*"))


def test_draft_survives_logout_and_login(client, drafted):
    preview_as(client, drafted)
    client.logout()
    response = preview_as(client, drafted)
    assert "Draft hero" in response.text


@pytest.mark.parametrize(
    "who",
    ["anonymous", "shopper", "staff_without_permission", "other_marketer", "inactive_marketer"],
)
def test_nobody_else_sees_the_draft(client, drafted, who):
    users = {
        "anonymous": None,
        "shopper": UserFactory(),
        "staff_without_permission": StaffFactory(),
        "other_marketer": marketer(username="bob"),
        "inactive_marketer": None,
    }
    user = users[who]
    if who == "inactive_marketer":
        drafted.is_active = False
        drafted.save()
        user = drafted
    if user is not None:
        client.force_login(user)
    mode = client.post("/layout/home/mode/", {"mode": "draft"})
    assert mode.status_code in (403, 302)
    session = client.session
    session["layout_mode"] = "draft"  # even a forged session flag must not help
    session.save()
    response = client.get("/", {"draft": drafted.layout_drafts.first().pk, "mode": "draft"})
    assert response.status_code == 200
    assert "Draft hero" not in response.text and "Live hero" in response.text


@pytest.mark.parametrize("who", ["anonymous", "shopper", "staff_without_permission"])
def test_editing_endpoints_refuse_users_without_permission(client, drafted, home, who):
    user = {
        "anonymous": None,
        "shopper": UserFactory(),
        "staff_without_permission": StaffFactory(),
    }[who]
    if user:
        client.force_login(user)
    key = f"b{home.pk}"
    posts = [
        ("/layout/home/mode/", {"mode": "draft"}),
        (f"/layout/home/block/{key}/edit/", {"heading": "Hacked"}),
        (f"/layout/home/block/{key}/move/", {"direction": "down"}),
        (f"/layout/home/block/{key}/toggle/", {"active": "0"}),
        (f"/layout/home/block/{key}/delete/", {}),
        ("/layout/home/add/?type=hero&region=main", {"heading": "Hacked"}),
        ("/layout/home/publish/", {}),
        ("/layout/home/discard/", {}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    assert client.get("/layout/home/revisions/").status_code == 403
    assert client.get(f"/layout/home/block/{key}/edit/").status_code == 403
    assert LayoutBlock.objects.get(pk=home.pk).content["heading"] == "Live hero"
    assert drafted.layout_drafts.get().changes.count() == 1


def test_another_marketer_cannot_reach_a_drafted_insert(client, drafted):
    key = services.insert_block(drafted, "home:main", 0, "promo_banner", {"text": "Secret"})
    client.force_login(marketer(username="bob"))
    assert client.get(f"/layout/home/block/{key}/edit/").status_code == 404
    assert client.post(f"/layout/home/block/{key}/delete/").status_code == 404
    assert client.post("/layout/home/publish/").status_code == 302  # nothing of bob's to publish
    assert drafted.layout_drafts.get().changes.count() == 2


def test_edit_form_is_a_fragment_for_htmx_and_saving_refreshes_the_layout(client, drafted, home):
    client.force_login(drafted)
    client.post("/layout/home/mode/", {"mode": "draft"})
    url = f"/layout/home/block/b{home.pk}/edit/"
    fragment = client.get(url, headers={"HX-Request": "true"})
    assert 'id="block-editor"' in fragment.text and "<html" not in fragment.text
    assert 'value="Draft hero"' in fragment.text
    saved = client.post(url, {"heading": "Edited in place"}, headers={"HX-Request": "true"})
    assert saved.status_code == 200 and saved.text.lstrip().startswith('<div id="layout"')
    assert "Edited in place" in saved.text


def test_invalid_edit_rerenders_the_form_and_changes_nothing(client, drafted, home):
    client.force_login(drafted)
    url = f"/layout/home/block/b{home.pk}/edit/"
    bad = client.post(url, {"heading": "", "cta_label": "Go"}, headers={"HX-Request": "true"})
    assert bad.status_code == 200 and "This field is required" in bad.text
    assert bad["HX-Retarget"] == f"#block-b{home.pk}"
    assert client.post(url, {"heading": "x", "image": "javascript:alert(1)"}).status_code == 400
    assert drafted.layout_drafts.get().changes.get().data["content"]["heading"] == "Draft hero"


def test_publish_confirmation_shows_the_change_count_and_publishing_goes_live(client, drafted):
    client.force_login(drafted)
    confirm = client.get("/layout/home/publish/", headers={"HX-Request": "true"})
    assert "Publish 1 change?" in confirm.text
    assert client.post("/layout/home/publish/").status_code == 302
    client.logout()
    assert "Draft hero" in client.get("/").text


def test_publish_conflict_shows_conflicts_and_keeps_the_newer_publish(client, drafted, home):
    bob = marketer(username="bob")
    services.set_fields(bob, "home", f"b{home.pk}", {"content": {"heading": "Bob hero"}})
    services.publish(bob, "home")
    client.force_login(drafted)
    response = client.post("/layout/home/publish/")
    assert response.status_code == 409
    assert "was changed in the newer publish" in response.text
    client.logout()
    assert "Bob hero" in client.get("/").text


def test_add_block_at_a_position_through_the_toolbar(client, drafted):
    client.force_login(drafted)
    client.post("/layout/home/mode/", {"mode": "draft"})
    response = client.post(
        "/layout/home/add/?type=promo_banner&region=main&position=0", {"text": "Brand new"}
    )
    assert response.status_code == 302
    page = client.get("/").text
    assert page.index("Brand new") < page.index("Live banner")


def test_revisions_list_and_restore(client, drafted, home):
    services.publish(drafted, "home")
    client.force_login(drafted)
    listing = client.get("/layout/home/revisions/")
    assert listing.text.count('data-testid="revision"') == 2
    from apps.layout.models import Revision

    oldest = Revision.objects.order_by("version").first()
    assert client.post(f"/layout/home/revisions/{oldest.pk}/restore/").status_code == 302
    client.logout()
    assert "Live hero" in client.get("/").text


def test_published_renders_are_invalidated_by_publish_and_by_catalog_changes(client):
    product = ProductFactory(name="Kettle")
    publish_home(("main", grid_skus([product.sku])))
    assert "Kettle" in client.get("/").text
    product.name = "Teapot"
    product.save()
    assert "Teapot" in client.get("/").text


def test_invalid_block_is_skipped_for_shoppers_and_explained_to_marketers(client, home):
    LayoutBlock.objects.filter(pk=home.pk).update(content={"heading": ""})  # bypasses validation
    response = client.get("/")
    assert response.status_code == 200 and "Live banner" in response.text
    assert f'id="block-b{home.pk}"' not in response.text
    client.force_login(marketer())
    staff_view = client.get("/")
    assert (
        "is not shown to shoppers: Invalid content: Heading: This field is required."
        in staff_view.text
    )


def test_vanished_products_hide_the_grid_for_shoppers(client):
    product = ProductFactory(name="Gone soon")
    publish_home(("hero", hero()), ("main", grid_skus([product.sku])))
    product.status = product.Status.ARCHIVED
    product.save()
    response = client.get("/")
    assert response.status_code == 200 and "Big sale" in response.text
    assert "layout-block-product_grid" not in response.text
    client.force_login(marketer())
    assert "No active products match this grid" in client.get("/").text


def test_unknown_type_and_non_dict_content_do_not_break_the_page(client, home):
    LayoutBlock.objects.filter(pk=home.pk).update(type="carousel")
    LayoutBlock.objects.filter(type="promo_banner").update(content=["not", "a", "dict"])
    response = client.get("/")
    assert response.status_code == 200 and 'data-testid="block"' not in response.text
    client.force_login(marketer())
    text = client.get("/").text
    assert "Unknown block type" in text and "Content must be an object" in text


def test_expired_banner_hides_itself(client):
    publish_home(
        ("main", banner("Ended", ends_at="2020-01-01T00:00:00+00:00")), ("main", banner("Running"))
    )
    text = client.get("/").text
    assert "Running" in text and "Ended" not in text


def test_rich_text_is_sanitised_even_when_written_around_the_form(client):
    publish_home(("main", {"type": "rich_text", "content": {"html": "<p>ok</p>"}}))
    LayoutBlock.objects.update(content={"html": '<p onclick="x()">ok<script>alert(1)</script></p>'})
    text = client.get("/").text
    assert "<script>alert" not in text and "onclick" not in text and "<p>ok</p>" in text


def test_category_tiles_link_to_categories_with_products(client):
    shoes, empty = CategoryFactory(name="Shoes", slug="shoes"), CategoryFactory(name="Empty")
    ProductFactory(category=shoes)
    publish_home(
        ("main", {"type": "category_tiles", "content": {"categories": [shoes.pk, empty.pk]}})
    )
    text = client.get("/").text
    assert 'href="/catalog/shoes/"' in text and "Empty" not in text


def test_move_and_hide_answer_htmx_with_the_refreshed_layout(client, drafted):
    publish_home(("main", banner("Second banner")))
    client.force_login(drafted)
    client.post("/layout/home/mode/", {"mode": "draft"})
    second = LayoutBlock.objects.get(content__text="Second banner")
    moved = client.post(
        f"/layout/home/block/b{second.pk}/move/",
        {"direction": "up"},
        headers={"HX-Request": "true"},
    )
    assert moved.status_code == 200 and "<html" not in moved.text
    assert moved.text.index("Second banner") < moved.text.index("Live banner")
    hidden = client.post(
        f"/layout/home/block/b{second.pk}/toggle/", {"active": "0"}, headers={"HX-Request": "true"}
    )
    assert "is-hidden" in hidden.text and ">Show<" in hidden.text
    assert "no-store" in hidden["Cache-Control"]
    client.logout()
    assert "Second banner" in client.get("/").text


def test_bad_block_keys_and_regions_are_4xx_not_500(client, drafted):
    client.force_login(drafted)
    assert client.get("/layout/home/block/x1/edit/").status_code == 404
    assert client.get("/layout/home/block/b999999/edit/").status_code == 404
    assert client.get("/layout/nowhere/block/b1/edit/").status_code == 404
    assert client.get("/layout/home/add/?type=hero&region=basement").status_code == 400
    assert client.get("/layout/home/add/?type=carousel&region=main").status_code == 400
    assert (
        client.post(
            "/layout/home/add/?type=hero&region=main&position=x", {"heading": "Hi"}
        ).status_code
        == 302
    )


def test_cached_grids_carry_each_visitors_own_csrf_token(client):
    """Add-to-cart forms in shared block renders work without JavaScript for every visitor."""
    from django.test import Client

    from tests.factories import ProductFactory

    ProductFactory.create_batch(3)
    call_command("seed_layout")
    first = client.get("/").content.decode()
    other = Client()
    second = other.get("/").content.decode()
    assert not re.search(r"slot[0-9a-f]{32}", first + second)  # every slot was filled
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', second).group(1)
    product_id = re.search(r'name="product_id" value="(\d+)"', second).group(1)
    strict = other
    strict.handler.enforce_csrf_checks = True
    response = strict.post(
        "/cart/add/", {"product_id": product_id, "quantity": "1", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302


def test_editing_a_block_of_a_type_that_no_longer_exists_is_409_not_500(client, home):
    LayoutBlock.objects.filter(pk=home.pk).update(type="carousel")
    client.force_login(marketer())
    response = client.get(f"/layout/home/block/b{home.pk}/edit/")
    assert response.status_code == 409 and "delete the block instead" in response.text
    assert client.post(f"/layout/home/block/b{home.pk}/delete/").status_code == 302


def test_restoring_a_revision_that_no_longer_validates_changes_nothing(client, home):
    from apps.layout.models import LayoutPage, Revision

    revision = Revision.objects.get()
    revision.snapshot = [{**row, "content": {"heading": ""}} for row in revision.snapshot]
    revision.save()
    client.force_login(marketer())
    response = client.post(f"/layout/home/revisions/{revision.pk}/restore/", follow=True)
    assert response.status_code == 200 and "cannot be restored" in response.text
    assert LayoutBlock.objects.get(pk=home.pk).content["heading"] == "Live hero"
    assert LayoutPage.objects.get(key="home").version == revision.version


def test_publishing_over_a_block_removed_outside_a_publish_reports_it(client, drafted, home):
    LayoutBlock.objects.filter(pk=home.pk).delete()  # shell/SQL: no publish, no version bump
    client.force_login(drafted)
    response = client.post("/layout/home/publish/")
    assert response.status_code == 409
    assert "Hero &#x27;Live hero&#x27; was deleted since your draft started" in response.text


def test_catalog_writes_move_the_render_key_again_after_commit(django_capture_on_commit_callbacks):
    """A page rendered by another request while the write was uncommitted is not kept."""
    from apps.layout.cache import catalog_version

    product = ProductFactory()
    with django_capture_on_commit_callbacks(execute=True):
        product.current_price += 1
        product.save()
        during = catalog_version()
    assert catalog_version() > during


def test_cached_block_renders_let_stock_lag_by_at_most_the_catalogs_bound(client):
    """Checkout changes stock without signals; a cached grid shows it within STOCK_LAG s."""
    from apps.catalog.listing import STOCK_LAG

    ProductFactory.create_batch(3)
    call_command("seed_layout")
    assert client.get("/").status_code == 200
    keys = cache.keys("layout:render:*")
    assert keys and all(0 < cache.ttl(key) <= STOCK_LAG for key in keys)
