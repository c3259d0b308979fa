"""Draft overlay, publish with conflict detection, revisions, discard."""

from __future__ import annotations

import pytest

from apps.layout import selectors, services
from apps.layout.models import Draft, LayoutBlock, LayoutPage, Revision
from tests.layout.factories import banner, hero, marketer, publish_home, rich

pytestmark = pytest.mark.django_db


@pytest.fixture
def home():
    publish_home(
        ("hero", hero("Old hero")), ("main", banner("First")), ("main", rich("<p>Second</p>"))
    )
    return {b.type: b for b in LayoutBlock.objects.all()}


def preview(user):
    return selectors.preview_states(user, "home")[1]


def test_update_overlays_one_block_and_keeps_the_others(home):
    user = marketer()
    services.set_fields(user, "home", f"b{home['hero'].pk}", {"content": {"heading": "New hero"}})
    states = preview(user)
    assert [s.type for s in states] == ["hero", "promo_banner", "rich_text"]
    assert states[0].content["heading"] == "New hero" and states[0].status == "changed"
    assert LayoutBlock.objects.get(pk=home["hero"].pk).content["heading"] == "Old hero"


def test_insert_lands_at_the_position_between_published_blocks(home):
    user = marketer()
    key = services.insert_block(user, "home:main", 1, "rich_text", {"html": "<p>Middle</p>"})
    main = [s for s in preview(user) if s.region == "main"]
    assert [s.key for s in main] == [f"b{home['promo_banner'].pk}", key, f"b{home['rich_text'].pk}"]
    assert main[1].status == "new"
    assert LayoutBlock.objects.count() == 3


def test_delete_hides_only_that_block_in_preview(home):
    user = marketer()
    services.delete_block(user, "home", f"b{home['promo_banner'].pk}")
    assert [s.type for s in preview(user)] == ["hero", "rich_text"]
    assert LayoutBlock.objects.filter(pk=home["promo_banner"].pk).exists()


def test_reorder_swaps_neighbours_and_moving_back_leaves_no_change(home):
    user = marketer()
    services.move_block(user, "home", f"b{home['rich_text'].pk}", "up")
    assert [s.type for s in preview(user) if s.region == "main"] == ["rich_text", "promo_banner"]
    services.move_block(user, "home", f"b{home['rich_text'].pk}", "down")
    assert [s.type for s in preview(user) if s.region == "main"] == ["promo_banner", "rich_text"]
    assert services.change_count(selectors.draft_for(user, "home")) == 0


def test_publish_applies_every_change_bumps_version_and_records_a_revision(home):
    user = marketer()
    services.set_fields(user, "home", f"b{home['hero'].pk}", {"content": {"heading": "New hero"}})
    services.move_block(user, "home", f"b{home['rich_text'].pk}", "up")
    services.insert_block(user, "home:sidebar", 0, "promo_banner", {"text": "Side"})
    services.delete_block(user, "home", f"b{home['promo_banner'].pk}")
    before = LayoutPage.objects.get(key="home").version
    result = services.publish(user, "home")
    # Edited hero, added banner, deleted banner: the move was of a block then deleted, and
    # the renumbered neighbour is not a change of its own.
    assert result.published and result.change_count == 3
    assert LayoutPage.objects.get(key="home").version == before + 1
    assert [s.type for s in selectors.published_states("home")] == [
        "hero",
        "rich_text",
        "promo_banner",
    ]
    assert selectors.published_states("home")[0].content["heading"] == "New hero"
    assert not Draft.objects.filter(owner=user).exists()
    revision = Revision.objects.get(version=before + 1)
    assert revision.change_count == 3 and len(revision.snapshot) == 3


def test_publish_refuses_a_stale_draft_and_says_what_conflicts(home):
    alice, bob = marketer(), marketer()
    services.set_fields(alice, "home", f"b{home['hero'].pk}", {"content": {"heading": "Alice"}})
    services.set_fields(bob, "home", f"b{home['hero'].pk}", {"content": {"heading": "Bob"}})
    assert services.publish(bob, "home").published
    result = services.publish(alice, "home")
    assert not result.published
    assert "Hero 'Bob' was changed in the newer publish; your draft changes it." in result.conflicts
    assert LayoutBlock.objects.get(pk=home["hero"].pk).content["heading"] == "Bob"
    assert Draft.objects.filter(owner=alice).exists()


def test_stale_draft_touching_other_blocks_is_still_refused_then_rebased(home):
    alice, bob = marketer(), marketer()
    services.set_fields(alice, "home", f"b{home['rich_text'].pk}", {"is_active": False})
    services.set_fields(alice, "home", f"b{home['hero'].pk}", {"content": {"heading": "Alice"}})
    services.set_fields(bob, "home", f"b{home['hero'].pk}", {"content": {"heading": "Bob"}})
    services.publish(bob, "home")
    assert not services.publish(alice, "home").published
    assert services.rebase(alice, "home") == 1
    assert services.publish(alice, "home").published
    assert LayoutBlock.objects.get(pk=home["hero"].pk).content["heading"] == "Bob"
    assert LayoutBlock.objects.get(pk=home["rich_text"].pk).is_active is False


def test_restore_republishes_an_old_revision_as_a_new_version(home):
    user = marketer()
    first = Revision.objects.get()
    services.set_fields(user, "home", f"b{home['hero'].pk}", {"content": {"heading": "New hero"}})
    services.delete_block(user, "home", f"b{home['promo_banner'].pk}")
    services.insert_block(user, "home:main", 0, "rich_text", {"html": "<p>Extra</p>"})
    services.publish(user, "home")
    new = services.restore(user, first)
    assert new.version == first.version + 2 and new.note == f"Restored v{first.version}"
    states = selectors.published_states("home")
    assert [(s.type, s.content.get("heading")) for s in states] == [
        ("hero", "Old hero"),
        ("promo_banner", None),
        ("rich_text", None),
    ]
    assert LayoutBlock.objects.count() == 3


def test_discard_deletes_the_draft_only(home):
    user = marketer()
    services.set_fields(user, "home", f"b{home['hero'].pk}", {"content": {"heading": "New"}})
    assert services.discard(user, "home")
    assert selectors.draft_for(user, "home") is None
    assert LayoutBlock.objects.get(pk=home["hero"].pk).content["heading"] == "Old hero"


def test_invalid_content_is_refused_on_save(home):
    from django.core.exceptions import ValidationError

    user = marketer()
    with pytest.raises(ValidationError):
        services.set_fields(user, "home", f"b{home['hero'].pk}", {"content": {"heading": ""}})
    with pytest.raises(ValidationError):
        LayoutBlock(placement="home:main", type="product_grid", content={"source": "skus"}).save()
    assert (
        selectors.draft_for(user, "home") is None
        or not selectors.draft_for(user, "home").changes.exists()
    )


def test_a_block_deleted_by_another_publish_is_reported_as_a_conflict(home):
    alice, bob = marketer(), marketer()
    services.set_fields(alice, "home", f"b{home['promo_banner'].pk}", {"is_active": False})
    services.delete_block(bob, "home", f"b{home['promo_banner'].pk}")
    services.publish(bob, "home")
    result = services.publish(alice, "home")
    assert not result.published
    assert any("was deleted in the newer publish" in m for m in result.conflicts)
    assert not LayoutBlock.objects.filter(pk=home["promo_banner"].pk).exists()


def test_inserts_between_blocks_with_equal_sort_orders_renumber_the_placement(home):
    user = marketer()
    LayoutBlock.objects.filter(placement="home:main").update(sort_order=5)
    services.insert_block(user, "home:main", 1, "promo_banner", {"text": "Between"})
    main = [s for s in preview(user) if s.region == "main"]
    assert [s.content.get("text") for s in main][1] == "Between"
    assert len({s.sort_order for s in main}) == 3


def test_a_hidden_block_in_the_draft_stays_visible_to_shoppers_until_published(home, client):
    user = marketer()
    services.set_active(user, "home", f"b{home['promo_banner'].pk}", False)
    assert "First" in client.get("/").text
    services.publish(user, "home")
    assert "First" not in client.get("/").text
