"""Cart reads: the cart of a request and its summary with live prices and stock."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.http import HttpRequest

from apps.catalog import products as catalog

from . import discounts
from .models import Cart, CartLine

SESSION_CART_ID = "cart_id"
SESSION_CART_COUNT = "cart_count"


def cart_for_request(request: HttpRequest) -> Cart | None:
    """The user's cart, or the anonymous cart whose id this session holds (0 or 1 query)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return Cart.objects.filter(user=user).first()
    cart_id = request.session.get(SESSION_CART_ID) if request.session.session_key else None
    if not cart_id:
        return None
    return Cart.objects.filter(pk=cart_id, user__isnull=True).first()


@dataclass
class SummaryLine:
    line: CartLine
    product: Any  # the catalog's VariantView: name (with its options), sku, price, stock
    quantity: int
    unit_price: Decimal
    line_total: Decimal
    stock_total: int
    available: bool
    notice: str = ""

    @property
    def pk(self) -> int:
        return self.line.pk


@dataclass
class CartSummary:
    cart: Cart | None
    lines: list[SummaryLine] = field(default_factory=list)
    subtotal: Decimal = Decimal("0.00")
    discount: Decimal = Decimal("0.00")
    discount_label: str = ""
    coupon_code: str = ""
    coupon_error: str = ""

    @property
    def count(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def total(self) -> Decimal:
        return max(self.subtotal - self.discount, Decimal("0.00"))

    @property
    def is_empty(self) -> bool:
        return not self.lines

    @property
    def problems(self) -> list[SummaryLine]:
        """Lines that block checkout: unavailable products or more than the stock."""
        return [line for line in self.lines if not line.available or line.notice]


def stock_notice(stock_total: int, quantity: int, available: bool) -> str:
    if not available or stock_total <= 0:
        return "No longer available"
    if quantity > stock_total:
        return f"Only {stock_total} left: lower the quantity"
    return ""


def cart_summary(cart: Cart | None, user: Any = None) -> CartSummary:
    """Lines with live prices, stock notices, subtotal, discount: 2 queries (+1 with a coupon)."""
    if cart is None:
        return CartSummary(cart=None)
    lines = list(CartLine.objects.filter(cart=cart))
    products = catalog.live_variants(line.variant_id for line in lines)
    summary = CartSummary(cart=cart, coupon_code=cart.coupon_code)
    for line in lines:
        product = products.get(line.variant_id)
        if product is None:
            continue
        available = product.is_active and product.stock_total > 0
        unit_price = product.price
        summary.lines.append(
            SummaryLine(
                line=line,
                product=product,
                quantity=line.quantity,
                unit_price=unit_price,
                line_total=unit_price * line.quantity if available else Decimal("0.00"),
                stock_total=product.stock_total,
                available=available,
                notice=stock_notice(product.stock_total, line.quantity, product.is_active),
            )
        )
    summary.subtotal = sum((line.line_total for line in summary.lines), Decimal("0.00"))
    if cart.coupon_code:
        discount = discounts.compute(cart, discount_lines(summary), user)
        if discount is not None:
            summary.discount = discount.amount
            summary.discount_label = discount.label
            summary.coupon_error = discount.error
    return summary


def discount_lines(summary: CartSummary) -> list[discounts.Line]:
    """The lines a coupon counts: the available ones, at their live price."""
    return [
        discounts.Line(s.line.variant_id, s.product.product_id, s.line_total)
        for s in summary.lines
        if s.available
    ]


def lock_cart(cart_id: int) -> Cart | None:
    """Lock the cart row for checkout (inside atomic()): one checkout of a cart at a time."""
    return Cart.objects.select_for_update().filter(pk=cart_id).first()


def cart_lines(cart: Cart) -> list[CartLine]:
    return list(CartLine.objects.filter(cart=cart))
