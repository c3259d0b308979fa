"""Layout blocks on CMS pages: placed above/below the text, drafted and published in place."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache

from apps.layout import services
from apps.layout.models import Draft, LayoutBlock
from tests.factories import ProductFactory, UserFactory
from tests.layout.factories import banner, grid_skus, hero, marketer

from .factories import PageFactory

pytestmark = pytest.mark.django_db


def place(page, *specs: tuple[str, dict]) -> str:
    key = f"page-{page.pk}"
    services.publish_initial(
        [
            {"placement": f"{key}:{region}", "sort_order": (i + 1) * 10, "is_active": True, **spec}
            for i, (region, spec) in enumerate(specs)
        ],
        key,
    )
    return key


def page_editor():
    user = marketer()
    user.user_permissions.add(Permission.objects.get(codename="view_dynamicpage"))
    return user


def test_published_blocks_show_above_and_below_the_text(client):
    product = ProductFactory(name="Trail runner")
    page = PageFactory(slug="summer", body="<p>The page text</p>")
    place(page, ("top", hero("Summer landing")), ("bottom", grid_skus([product.sku])))
    text = client.get("/summer/").text
    assert text.index("Summer landing") < text.index("The page text") < text.index("Trail runner")
    assert 'data-testid="layout-toolbar"' not in text
    assert "no-store" not in client.get("/summer/").get("Cache-Control", "")


def test_blocks_on_a_page_cost_no_queries_beyond_the_page_when_warm(
    client, django_assert_max_num_queries, django_assert_num_queries
):
    products = ProductFactory.create_batch(3)
    page = PageFactory(slug="promo")
    place(page, ("top", hero()), ("bottom", grid_skus([p.sku for p in products])))
    cache.clear()
    with django_assert_max_num_queries(4):  # page, layout blocks, products, their images
        cold = client.get("/promo/")
    assert cold.text.count('class="product-card"') == 3
    with django_assert_num_queries(1):  # the page row itself
        client.get("/promo/")


def test_marketer_drafts_a_page_block_in_place_and_shoppers_see_live_until_publish(client):
    page = PageFactory(slug="about", body="<p>About text</p>")
    key = place(page, ("top", hero("Live page hero")))
    block = LayoutBlock.objects.get(placement=f"{key}:top")
    user = page_editor()
    client.force_login(user)
    mode = client.post(f"/layout/{key}/mode/", {"mode": "draft"}, headers={"HX-Request": "true"})
    assert mode.status_code == 200 and mode.text.lstrip().startswith('<div id="layout"')
    assert "About text" in mode.text and 'data-testid="layout-toolbar"' in mode.text
    saved = client.post(
        f"/layout/{key}/block/b{block.pk}/edit/",
        {"heading": "Draft page hero"},
        headers={"HX-Request": "true"},
    )
    assert "Draft page hero" in saved.text and "About text" in saved.text
    added = client.post(
        f"/layout/{key}/add/?type=promo_banner&region=bottom&position=0", {"text": "Below"}
    )
    assert added.status_code == 302 and added["Location"] == "/about/"
    draft_view = client.get("/about/")
    assert "Draft page hero" in draft_view.text and "Below" in draft_view.text
    assert "no-store" in draft_view["Cache-Control"]

    shopper = type(client)()
    shopper.force_login(UserFactory())
    live = shopper.get("/about/").text
    assert "Live page hero" in live and "Draft page hero" not in live and "Below" not in live

    assert client.post(f"/layout/{key}/publish/").status_code == 302
    live = shopper.get("/about/").text
    assert "Draft page hero" in live and "Below" in live


def test_page_blocks_cannot_be_edited_without_the_permission_or_for_a_missing_page(client):
    page = PageFactory(slug="about")
    key = place(page, ("top", hero()))
    client.force_login(UserFactory())
    assert client.post(f"/layout/{key}/mode/", {"mode": "draft"}).status_code == 403
    client.force_login(page_editor())
    assert client.post("/layout/page-999999/mode/", {"mode": "draft"}).status_code == 404
    assert client.post("/layout/page-x/mode/", {"mode": "draft"}).status_code == 404
    assert client.post(f"/layout/{key}/add/?type=hero&region=sidebar").status_code == 400


def test_an_unpublished_page_is_editable_only_by_who_may_preview_it(client):
    page = PageFactory(slug="secret", is_published=False)
    key = place(page, ("top", hero()))
    client.force_login(marketer())  # may edit layout, may not preview pages
    assert client.post(f"/layout/{key}/mode/", {"mode": "draft"}).status_code == 404
    client.force_login(page_editor())
    assert client.post(f"/layout/{key}/mode/", {"mode": "draft"}).status_code == 302
    assert "Big sale" in client.get("/secret/").text


def test_deleting_a_page_deletes_its_blocks_and_drafts():
    page = PageFactory(slug="gone")
    key = place(page, ("top", hero()))
    user = marketer()
    services.insert_block(user, f"{key}:bottom", 0, "promo_banner", {"text": "x"})
    page.delete()
    assert not LayoutBlock.objects.filter(placement__startswith=f"{key}:").exists()
    assert not Draft.objects.filter(page=key).exists()


def test_a_block_in_a_region_the_page_does_not_have_is_not_shown(client):
    page = PageFactory(slug="odd")
    place(page, ("sidebar", banner("Nowhere")), ("bottom", banner("Somewhere")))
    text = client.get("/odd/").text
    assert "Somewhere" in text and "Nowhere" not in text


def test_the_page_admin_says_where_its_blocks_go(client):
    page = PageFactory(slug="about")
    staff = page_editor()
    staff.user_permissions.add(*Permission.objects.filter(content_type__app_label="pages"))
    staff.user_permissions.add(Permission.objects.get(codename="add_layoutblock"))
    client.force_login(staff)
    html = client.get(f"/admin/pages/dynamicpage/{page.pk}/change/").text
    assert f"page-{page.pk}:top" in html and f"page-{page.pk}:bottom" in html
    add = client.get(f"/admin/layout/layoutblock/add/?placement=page-{page.pk}:bottom").text
    assert f'value="page-{page.pk}:bottom"' in add
