"""The hourly alerts job: the worker runs the existing alert function with SITE_URL links."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail

from apps.wishlist.tasks import send_wishlist_alerts
from tests.factories import ProductFactory, UserFactory
from tests.wishlist.test_alerts import save, set_price

pytestmark = pytest.mark.django_db


def test_the_alert_job_sends_each_drop_once_with_site_url_links(settings, run_tasks):
    settings.SITE_URL = "https://shop.example.com"
    product = ProductFactory(name="Lamp", current_price=Decimal("100.00"))
    save(UserFactory(email="ann@example.com"), product, "100.00")
    set_price(product, "80.00")
    send_wishlist_alerts.enqueue()
    send_wishlist_alerts.enqueue()  # the next run has nothing new to say
    assert run_tasks() == 2
    assert len(mail.outbox) == 1
    assert "Lamp is now 80.00" in mail.outbox[0].body
    assert "https://shop.example.com/" in mail.outbox[0].body
    assert "localhost" not in mail.outbox[0].body and "127.0.0.1" not in mail.outbox[0].body
