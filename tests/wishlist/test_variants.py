"""The wishlist with products in options: the heart remembers the size the shopper saw, the page
shows the sizes in stock, alerts follow that size ("size 42 is back", its own price drop)."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from apps.catalog.models import Stock, Variant
from apps.wishlist.models import WishlistItem
from tests.factories import ProductImageFactory, UserFactory, boot

pytestmark = pytest.mark.django_db


def run_alerts() -> None:
    call_command("send_wishlist_alerts", stdout=StringIO(), stderr=StringIO())


def test_heart_on_the_product_page_remembers_the_size_seen(shopper_client, shopper):
    product, variants = boot(
        sizes=("41", "42"), price={("Black", "41"): "80.00", ("Black", "42"): "95.00"}
    )
    seen = variants[("Black", "42")]
    page = shopper_client.get(product.get_absolute_url(), {"variant": seen.sku}).content.decode()
    assert f'name="variant" value="{seen.pk}"' in page
    shopper_client.post(f"/wishlist/items/{product.pk}/", {"saved": "1", "variant": seen.pk})
    item = WishlistItem.objects.get(user=shopper)
    assert (item.product_id, item.variant_id, item.price_snapshot) == (
        product.pk,
        seen.pk,
        Decimal("95.00"),
    )


def test_a_variant_of_another_product_is_ignored(shopper_client, shopper):
    product, _ = boot()
    _, others = boot("Other boot")
    shopper_client.post(
        f"/wishlist/items/{product.pk}/", {"saved": "1", "variant": others[("Black", "41")].pk}
    )
    item = WishlistItem.objects.get(user=shopper)
    assert item.variant_id is None and item.price_snapshot == product.current_price


def test_wishlist_page_shows_the_sizes_in_stock(
    shopper_client, shopper, django_assert_max_num_queries
):
    for i in range(3):
        product, _ = boot(f"Boot {i}", sizes=("40", "41", "42"), stock={("Black", "41"): 0})
        ProductImageFactory(product=product)
        WishlistItem.objects.create(user=shopper, product=product, price_snapshot=Decimal("89.00"))
    # session with its user (one query), items, cards, their images, sizes in stock
    with django_assert_max_num_queries(5):
        body = shopper_client.get("/wishlist/").content.decode()
    assert body.count('data-testid="sizes-in-stock">In stock: Black / 40, Black / 42<') == 3
    assert "Choose options" in body and 'name="product_id"' not in body


def test_back_in_stock_follows_the_saved_size():
    user = UserFactory(email="ann@example.com")
    product, variants = boot(sizes=("41", "42"), stock={("Black", "41"): 0, ("Black", "42"): 0})
    wanted = variants[("Black", "42")]
    WishlistItem.objects.create(
        user=user,
        product=product,
        variant=wanted,
        price_snapshot=Decimal("89.00"),
        in_stock_at_save=False,
        stock_seen=False,
    )
    Stock.objects.filter(variant=variants[("Black", "41")]).update(quantity=4)
    run_alerts()
    assert mail.outbox == []  # another size came back: not what the shopper waits for
    Stock.objects.filter(variant=wanted).update(quantity=2)
    run_alerts()
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "Trail boot (Black / 42) is back in stock" in body
    assert f"?variant={wanted.sku}" in body
    run_alerts()
    assert len(mail.outbox) == 1  # once


def test_price_drop_follows_the_saved_size():
    user = UserFactory(email="ann@example.com")
    product, variants = boot(sizes=("41", "42"), price="90.00")
    wanted = variants[("Black", "42")]
    WishlistItem.objects.create(
        user=user, product=product, variant=wanted, price_snapshot=Decimal("90.00")
    )
    other = variants[("Black", "41")]
    other.price = Decimal("60.00")
    other.save()
    run_alerts()
    assert mail.outbox == []  # the "from" price fell, the saved size did not
    Variant.objects.filter(pk=wanted.pk).update(price=Decimal("75.00"))
    run_alerts()
    assert len(mail.outbox) == 1
    assert "Trail boot (Black / 42) is now 75.00" in mail.outbox[0].body
