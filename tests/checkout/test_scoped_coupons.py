"""Coupons scoped to products or categories (a category includes its subcategories): only the
eligible lines are discounted, on the cart page, the review and the placed order alike."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.checkout import services
from apps.checkout.models import Coupon, CouponRedemption, Order
from tests.checkout.factories import ADDRESS, CouponFactory, cart_with, reviewed
from tests.checkout.test_checkout_views import HX, place_form, steps
from tests.factories import CategoryFactory, ProductFactory, StaffFactory, UserFactory, boot


def catalog():
    """Shoes > Boots (a subcategory) holds a boot in 41 (89.00) and 42 (99.00); a shoe-care kit
    (20.00) sits in "shoes-care", whose path starts with "shoes" but is not below it."""
    shoes = CategoryFactory(name="Shoes", slug="shoes")
    boots = CategoryFactory(name="Boots", slug="boots", parent=shoes)
    care = CategoryFactory(name="Shoe care", slug="shoes-care")
    product, variants = boot(
        sizes=("41", "42"), price={("Black", "41"): "89.00", ("Black", "42"): "99.00"}
    )
    product.category = boots
    product.save()
    kit = ProductFactory(name="Care kit", current_price=Decimal("20.00"), category=care, stock=10)
    return shoes, product, variants, kit


def mixed_cart(user, code, variants, kit):
    """41 x 1 (89.00) + 42 x 2 (198.00) eligible = 287.00; the kit (20.00) out of scope."""
    return cart_with(
        (variants[("Black", "41")], 1),
        (variants[("Black", "42")], 2),
        (kit, 1),
        user=user,
        coupon_code=code,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("scope", "kind", "value", "discount", "split"),
    [
        # 20% of the eligible 287.00, not of the cart's 307.00
        ("product", Coupon.Kind.PERCENT, "20", "57.40", ("17.80", "39.60")),
        # a fixed 30.00 on the parent category reaches the boot in its subcategory
        ("category", Coupon.Kind.FIXED, "30", "30.00", ("9.30", "20.70")),
        # a fixed amount is capped at the eligible subtotal, not at the cart's
        ("category", Coupon.Kind.FIXED, "500", "287.00", ("89.00", "198.00")),
    ],
)
def test_scoped_coupon_same_discount_on_cart_review_and_order(
    client, scope, kind, value, discount, split
):
    shoes, product, variants, kit = catalog()
    coupon = CouponFactory(code="WINTER20", kind=kind, value=Decimal(value))
    (coupon.products if scope == "product" else coupon.categories).add(
        product if scope == "product" else shoes
    )
    user = UserFactory()
    mixed_cart(user, "WINTER20", variants, kit)
    client.force_login(user)
    cart_page = client.get("/cart/").content.decode()
    assert f'data-testid="cart-discount">−{discount}' in cart_page
    review = steps(client)
    assert f'data-testid="review-discount">−{discount}' in review
    response = client.post("/checkout/place/", place_form(review))
    assert response.status_code == 302
    order = Order.objects.get(user=user)
    assert order.subtotal == Decimal("307.00")
    assert order.discount_total == Decimal(discount)
    assert order.total == Decimal("307.00") - Decimal(discount) + Decimal("4.90")
    kit_sku = kit.sku
    by_sku = {line.sku: line.discount for line in order.lines.all()}
    assert by_sku[kit_sku] == Decimal("0.00")
    assert by_sku[variants[("Black", "41")].sku] == Decimal(split[0])
    assert by_sku[variants[("Black", "42")].sku] == Decimal(split[1])
    assert sum(by_sku.values()) == order.discount_total


@pytest.mark.django_db
def test_nothing_eligible_is_refused_naming_the_scope(client):
    shoes, product, variants, kit = catalog()
    CouponFactory(code="WINTER20", value=Decimal("20")).products.add(product)
    CouponFactory(code="SHOES", value=Decimal("20")).categories.add(shoes)
    user = UserFactory()
    cart = cart_with((kit, 2), user=user)
    client.force_login(user)
    body = client.post("/checkout/coupon/", {"code": "winter20"}, headers=HX).content.decode()
    assert "WINTER20 applies to Trail boot only." in body and "cart-discount" not in body
    body = client.post("/checkout/coupon/", {"code": "shoes"}, headers=HX).content.decode()
    assert "SHOES applies to Shoes only." in body
    cart.refresh_from_db()
    assert cart.coupon_code == ""
    # Put on while a boot was in the cart, then the boot left: place_order refuses it too.
    cart.coupon_code = "WINTER20"
    cart.save()
    fingerprint = reviewed(cart, user=user)
    with pytest.raises(services.CouponNoLongerValid, match="applies to Trail boot only"):
        services.place_order(
            cart_id=cart.pk,
            token=uuid.uuid4(),
            details=ADDRESS,
            shipping_method="standard",
            reviewed=fingerprint,
            user=user,
        )
    assert not Order.objects.exists()


@pytest.mark.django_db
def test_min_subtotal_counts_the_eligible_lines_only(client):
    shoes, product, variants, kit = catalog()
    CouponFactory(code="BIG", value=Decimal("10"), min_subtotal=Decimal("100")).products.add(
        product
    )
    user = UserFactory()
    cart = cart_with((variants[("Black", "41")], 1), (kit, 1), user=user)  # 109.00, 89 eligible
    client.force_login(user)
    body = client.post("/checkout/coupon/", {"code": "BIG"}, headers=HX).content.decode()
    assert "at least 100.00 on Trail boot (add 11.00 more)" in body
    cart.lines.filter(variant=variants[("Black", "41")]).update(quantity=2)  # 178.00 eligible
    body = client.post("/checkout/coupon/", {"code": "BIG"}, headers=HX).content.decode()
    assert 'data-testid="cart-discount">−17.80' in body


@pytest.mark.django_db
def test_unscoped_coupon_still_discounts_the_whole_cart(client):
    _, _, variants, kit = catalog()
    CouponFactory(code="ALL", value=Decimal("10"))
    user = UserFactory()
    mixed_cart(user, "ALL", variants, kit)
    client.force_login(user)
    review = steps(client)
    assert 'data-testid="review-discount">−30.70' in review
    client.post("/checkout/place/", place_form(review))
    order = Order.objects.get(user=user)
    assert order.discount_total == Decimal("30.70")
    assert order.lines.get(sku=kit.sku).discount == Decimal("2.00")


@pytest.mark.django_db
@pytest.mark.parametrize("extra", [0, 200])
def test_scoped_coupon_costs_place_order_at_most_one_query(django_assert_max_num_queries, extra):
    """10 lines of different variants: unscoped and scoped coupon, measured side by side."""
    counts = {}
    for scoped in (False, True):
        product, variants = boot(f"Boot {scoped}", sizes=tuple(str(n) for n in range(36, 46)))
        for i in range(extra // 10):
            boot(f"Other {scoped} {i}", sizes=("41",))
        coupon = CouponFactory(code=f"C{int(scoped)}")
        if scoped:
            coupon.products.add(product)
        cart = cart_with(*((v, 1) for v in variants.values()), coupon_code=coupon.code)
        fingerprint = reviewed(cart)
        with CaptureQueriesContext(connection) as ctx:
            order, _ = services.place_order(
                cart_id=cart.pk,
                token=uuid.uuid4(),
                details=ADDRESS,
                shipping_method="standard",
                reviewed=fingerprint,
            )
        assert order.discount_total == Decimal("89.00")  # 10% of 10 x 89.00
        counts[scoped] = len(ctx)
    print(f"place_order 10 lines: unscoped {counts[False]}, scoped {counts[True]} queries")
    assert counts[True] - counts[False] <= 1
    assert counts[True] <= 25


@pytest.mark.django_db
@pytest.mark.parametrize("coupons", [1, 20])
def test_coupon_changelist_has_no_n_plus_one(client, django_assert_max_num_queries, coupons):
    shoes, product, _, kit = catalog()
    for i in range(coupons):
        coupon = CouponFactory(code=f"SCOPE{i}")
        coupon.products.add(product, kit)
        coupon.categories.add(shoes)
    client.force_login(StaffFactory(is_superuser=True))
    client.get("/admin/checkout/coupon/")  # warm
    with CaptureQueriesContext(connection) as ctx:
        page = client.get("/admin/checkout/coupon/").content.decode()
    print(f"coupon changelist, {coupons} scoped coupons: {len(ctx)} queries")
    # The same at 1 and 20 coupons: the session with its user, then the page; the scope column
    # is 2 prefetches.
    assert len(ctx) == 6
    assert page.count("Shoes, Care kit, Trail boot") == coupons


@pytest.mark.django_db
@pytest.mark.parametrize(
    "hostile",
    [
        {"products": ["abc"]},
        {"products": ["999999999"]},
        {"categories": ["1 OR 1=1"]},
        {"categories": ["\x00"]},
        {"products": ["-1"]},
        {"products": ["99999999999999999999999"]},
        {"products": ["١"]},
    ],
)
def test_hostile_scope_in_the_admin_is_a_form_error(client, hostile):
    client.force_login(StaffFactory(is_superuser=True))
    form = {
        "code": "EVIL",
        "kind": "percent",
        "value": "10",
        "min_subtotal": "0",
        "is_active": "on",
    }
    response = client.post("/admin/checkout/coupon/add/", {**form, **hostile})
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert not Coupon.objects.filter(code="EVIL").exists()


@pytest.mark.django_db
def test_admin_saves_a_scope(client):
    shoes, product, _, _ = catalog()
    client.force_login(StaffFactory(is_superuser=True))
    form = {"code": "good", "kind": "percent", "value": "10", "min_subtotal": "0"}
    response = client.post(
        "/admin/checkout/coupon/add/",
        {**form, "products": [product.pk], "categories": [shoes.pk]},
    )
    assert response.status_code == 302
    coupon = Coupon.objects.get(code="GOOD")
    assert list(coupon.products.all()) == [product] and list(coupon.categories.all()) == [shoes]


@pytest.mark.django_db(transaction=True)
def test_scoped_coupon_limited_to_l_is_used_exactly_l_times():
    from tests.checkout.test_concurrency import buyer, kinds, run_together

    limit, buyers = 3, 7
    shoes, product, variants, kit = catalog()
    for variant in variants.values():
        variant.stock.update(quantity=100)
    CouponFactory(code="FLASH", value=Decimal("20"), usage_limit=limit).categories.add(shoes)
    carts = [
        cart_with((variants[("Black", "41")], 1), (kit, 1), coupon_code="FLASH")
        for _ in range(buyers)
    ]
    jobs = [buyer(cart, email=f"buyer{i}@example.com") for i, cart in enumerate(carts)]
    outcomes = run_together(jobs)
    assert kinds(outcomes) == {"CheckoutResult": limit, "CouponNoLongerValid": buyers - limit}
    assert Coupon.objects.get(code="FLASH").times_used == limit
    assert CouponRedemption.objects.count() == limit
    assert Order.objects.filter(discount_total=Decimal("17.80")).count() == limit
