"""Price-drop and back-in-stock e-mails for wishlists, sent once each.

What was announced is recorded in the same transaction that decides it (WishlistAlert rows,
WishlistItem.alerted_price and stock_seen), with the items locked, and each shopper's e-mail
goes out inside a savepoint holding that shopper's records: a failed send rolls back only
those, so it is retried on the next run, and a second run (or a concurrent one, which waits for
the locks) finds nothing new to say.

Rules, per item of an active product (of the saved variant when the shopper saved one: its
price, its stock, "Trail boot (Black / 42) is back in stock"):
- price drop: the live price is below the saved snapshot AND below every price already
  announced for this item (so each further drop is announced once; a rise and a fall back to
  an announced price is not news);
- back in stock: the product has stock now and had none the last time we looked (at save time
  or at the previous run); going out of stock is recorded silently.
"""

from __future__ import annotations

import email.policy
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from apps.catalog.products import product_states, variant_states

from .models import WishlistAlert, WishlistItem
from .tokens import make_opt_out_token

logger = logging.getLogger(__name__)


@dataclass
class AlertStats:
    emails: int = 0
    price_drops: int = 0
    back_in_stock: int = 0
    failed: int = 0

    def add(self, other: AlertStats) -> None:
        self.emails += other.emails
        self.price_drops += other.price_drops
        self.back_in_stock += other.back_in_stock
        self.failed += other.failed


def recipient_ids() -> list[int]:
    """Shoppers with a wishlist, an e-mail address and no opt-out, in id order."""
    return list(
        WishlistItem.objects.filter(user__is_active=True, user__wishlist_alert_opt_out__isnull=True)
        .exclude(user__email="")
        .order_by("user_id")
        .values_list("user_id", flat=True)
        .distinct()
    )


def _batches(ids: list[int], size: int) -> Iterable[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def send_alerts(
    base_url: str,
    batch_size: int = 200,
    progress: Callable[[int], None] | None = None,
    user_ids: list[int] | None = None,
) -> AlertStats:
    """Run every batch; `progress(n)` is told how many shoppers each batch covered."""
    stats = AlertStats()
    ids = recipient_ids() if user_ids is None else user_ids
    for batch in _batches(ids, batch_size):
        stats.add(send_batch(batch, base_url))
        if progress:
            progress(len(batch))
    return stats


def send_batch(user_ids: list[int], base_url: str) -> AlertStats:
    """One batch: the items read and locked in one query, then one e-mail per shopper, each
    recorded in its own savepoint. A send that fails (a refused address, a dropped connection)
    rolls back only that shopper's records, so it is retried next run, and never holds back the
    other shoppers' alerts or makes them go out twice."""
    stats = AlertStats()
    with transaction.atomic():
        items = list(
            WishlistItem.objects.filter(user_id__in=user_ids)
            .select_related("user")
            .select_for_update(of=("self",))
            .order_by("pk")
        )
        states = product_states(item.product_id for item in items if item.variant_id is None)
        seen = variant_states(item.variant_id for item in items if item.variant_id)
        news: dict[int, list[dict]] = defaultdict(list)
        alerts: dict[int, list[WishlistAlert]] = defaultdict(list)
        changed: dict[int, list[WishlistItem]] = defaultdict(list)
        for item in items:
            state = seen.get(item.variant_id) if item.variant_id else states.get(item.product_id)
            if state is None or not state.is_active:
                continue
            dirty = False
            if state.in_stock and not item.stock_seen:
                alerts[item.user_id].append(
                    WishlistAlert(
                        item=item,
                        kind=WishlistAlert.Kind.BACK_IN_STOCK,
                        price=state.current_price,
                    )
                )
                news[item.user_id].append({"kind": "back_in_stock", "item": item, "state": state})
            if state.in_stock != item.stock_seen:
                item.stock_seen = state.in_stock
                dirty = True
            threshold = item.price_snapshot
            if item.alerted_price is not None:
                threshold = min(threshold, item.alerted_price)
            if state.current_price < threshold:
                alerts[item.user_id].append(
                    WishlistAlert(
                        item=item, kind=WishlistAlert.Kind.PRICE_DROP, price=state.current_price
                    )
                )
                news[item.user_id].append({"kind": "price_drop", "item": item, "state": state})
                item.alerted_price = state.current_price
                dirty = True
            if dirty:
                changed[item.user_id].append(item)
        # Items that only went out of stock: recorded silently, no e-mail to wait for.
        quiet = [item for user_id, rows in changed.items() if user_id not in news for item in rows]
        WishlistItem.objects.bulk_update(quiet, ["stock_seen", "alerted_price"])
        for user_id, lines in news.items():
            message = _message(lines[0]["item"].user, lines, base_url)
            try:
                with transaction.atomic():
                    WishlistAlert.objects.bulk_create(alerts[user_id])
                    WishlistItem.objects.bulk_update(
                        changed[user_id], ["stock_seen", "alerted_price"]
                    )
                    # Inside the savepoint on purpose: if sending fails, nothing is recorded.
                    mailers.default.send_messages([message])
            except Exception:  # noqa: BLE001 - any mail failure: logged, retried next run
                logger.exception("wishlist alert to user %s failed; retried next run", user_id)
                stats.failed += 1
                continue
            stats.emails += 1
            for line in lines:
                if line["kind"] == "price_drop":
                    stats.price_drops += 1
                else:
                    stats.back_in_stock += 1
    return stats


class AlertEmail(EmailMessage):
    """Headers may use RFC 5322's 998-character lines. The default 78 makes Python fold the long,
    space-free List-Unsubscribe URL into RFC 2047 encoded words, which mail clients reject."""

    def message(self, *, policy: email.policy.Policy = email.policy.default):
        return super().message(policy=policy.clone(max_line_length=998))


def _message(user, lines: list[dict], base_url: str) -> EmailMessage:
    opt_out_url = base_url.rstrip("/") + reverse(
        "wishlist:opt_out", kwargs={"token": make_opt_out_token(user.pk)}
    )
    base_url = base_url.rstrip("/")
    for line in lines:
        state = line["state"]
        line["url"] = (
            base_url + reverse("catalog:product", kwargs={"slug": state.slug}) + state.url_query
        )
    context = {
        "user": user,
        "lines": lines,
        "wishlist_url": base_url + reverse("wishlist:page"),
        "opt_out_url": opt_out_url,
        "SHOP_NAME": settings.SHOP_NAME,
        "SHOP_CURRENCY": settings.SHOP_CURRENCY,
    }
    return AlertEmail(
        subject=f"Good news from your {settings.SHOP_NAME} wishlist",
        body=render_to_string("wishlist/alert_email.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{opt_out_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
