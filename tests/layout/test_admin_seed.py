"""Admin edits go live like a publish; seed_layout gives the home page a default layout once."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from apps.layout.models import LayoutBlock, LayoutPage, Revision
from tests.factories import CategoryFactory, ProductFactory, UserFactory
from tests.layout.factories import hero, publish_home

pytestmark = pytest.mark.django_db


def test_seed_layout_is_idempotent_and_renders(client):
    shoes = CategoryFactory(name="Shoes")
    ProductFactory(category=shoes, name="Runner")
    call_command("seed_layout")
    count = LayoutBlock.objects.count()
    types = set(LayoutBlock.objects.values_list("type", flat=True))
    assert {"hero", "product_grid", "promo_banner", "category_tiles"} <= types
    call_command("seed_layout")
    assert LayoutBlock.objects.count() == count and Revision.objects.count() == 1
    text = client.get("/").text
    assert "Runner" in text and "WELCOME10" in text


def test_admin_change_publishes_a_new_version_and_the_page_follows(admin_client, client):
    publish_home(("hero", hero("Before")))
    client.get("/")  # warm the cache
    block = LayoutBlock.objects.get()
    response = admin_client.post(
        f"/admin/layout/layoutblock/{block.pk}/change/",
        {
            "placement": "home:hero",
            "sort_order": 10,
            "is_active": "on",
            "type": "hero",
            "content": '{"heading": "After"}',
        },
    )
    assert response.status_code == 302
    assert LayoutPage.objects.get(key="home").version == 2
    assert "After" in client.get("/").text


def test_admin_refuses_invalid_content(admin_client):
    publish_home(("hero", hero("Before")))
    block = LayoutBlock.objects.get()
    response = admin_client.post(
        f"/admin/layout/layoutblock/{block.pk}/change/",
        {
            "placement": "home:hero",
            "sort_order": 10,
            "is_active": "on",
            "type": "hero",
            "content": '{"text": "x"}',
        },
    )
    assert response.status_code == 200 and "Heading: This field is required." in response.text
    assert LayoutBlock.objects.get().content["heading"] == "Before"


def test_admin_restore_action(admin_client):
    publish_home(("hero", hero("First")))
    first = Revision.objects.get()
    LayoutBlock.objects.all().delete()
    response = admin_client.post(
        "/admin/layout/revision/", {"action": "restore_revision", "_selected_action": [first.pk]}
    )
    assert response.status_code == 302
    assert LayoutBlock.objects.get().content["heading"] == "First"


def test_shopper_cannot_use_the_admin(client):
    client.force_login(UserFactory())
    assert client.get("/admin/layout/layoutblock/").status_code == 302


def test_admin_drafts_are_private_to_their_owner_and_publishable_there(client):
    from django.contrib.auth.models import Permission

    from apps.layout import services
    from apps.layout.models import Draft
    from tests.layout.factories import marketer

    publish_home(("hero", hero("Live")))
    block = LayoutBlock.objects.get()
    view_drafts = Permission.objects.filter(
        codename__in=["view_draft", "change_draft", "delete_draft", "view_draftchange"]
    )
    alice, bob = marketer(username="alice"), marketer(username="bob")
    for user in (alice, bob):
        user.user_permissions.add(*view_drafts)
    services.set_fields(alice, "home", f"b{block.pk}", {"content": {"heading": "Alice secret"}})
    draft = Draft.objects.get(owner=alice)

    client.force_login(bob)
    assert "Alice secret" not in client.get("/admin/layout/draft/").text
    assert client.get(f"/admin/layout/draft/{draft.pk}/change/").status_code == 302  # not found
    client.post(
        "/admin/layout/draft/", {"action": "publish_drafts", "_selected_action": [draft.pk]}
    )
    assert LayoutBlock.objects.get().content["heading"] == "Live"

    client.force_login(alice)
    assert "Alice secret" in client.get(f"/admin/layout/draft/{draft.pk}/change/").text
    response = client.post(
        "/admin/layout/draft/",
        {"action": "publish_drafts", "_selected_action": [draft.pk]},
        follow=True,
    )
    assert "home: published 1 change(s) as v2." in [str(m) for m in response.context["messages"]]
    assert LayoutBlock.objects.get().content["heading"] == "Alice secret"
    assert not Draft.objects.exists()
