"""send_wishlist_alerts: once per price drop, once per return to stock, opt-out by signed link."""

from __future__ import annotations

import re
from decimal import Decimal
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError

from apps.catalog.models import Product, Stock
from apps.wishlist.models import AlertOptOut, WishlistAlert, WishlistItem
from tests import factories
from tests.factories import ProductFactory, UserFactory

pytestmark = pytest.mark.django_db


def run(**options) -> str:
    out, err = StringIO(), StringIO()
    call_command("send_wishlist_alerts", stdout=out, stderr=err, **options)
    return out.getvalue() + err.getvalue()


def save(user, product, price, in_stock=True):
    return WishlistItem.objects.create(
        user=user,
        product=product,
        price_snapshot=Decimal(price),
        in_stock_at_save=in_stock,
        stock_seen=in_stock,
    )


def set_price(product, price):
    factories.set_price(product, price)


def set_stock(product, quantity):
    Stock.objects.filter(variant__product=product).update(quantity=quantity)


def test_price_drop_is_announced_once():
    user = UserFactory(email="ann@example.com")
    product = ProductFactory(name="Lamp", current_price=Decimal("100.00"))
    save(user, product, "100.00")
    run()
    assert mail.outbox == []  # no drop yet

    set_price(product, "80.00")
    output = run()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ann@example.com"]
    assert "Lamp is now 80.00" in message.body and "saved it at 100.00" in message.body
    assert "1 e-mails: 1 price drops" in output

    run()
    run()
    assert len(mail.outbox) == 1  # idempotent: nothing new to say
    assert WishlistAlert.objects.filter(kind="price_drop").count() == 1

    set_price(product, "70.00")  # a further drop is news again, once
    run()
    run()
    assert len(mail.outbox) == 2
    set_price(product, "90.00")
    set_price(product, "80.00")  # back to a price already announced: not news
    run()
    assert len(mail.outbox) == 2


def test_back_in_stock_is_announced_once_per_return():
    user = UserFactory()
    product = ProductFactory(name="Mug", stock=0)
    save(user, product, "19.99", in_stock=False)
    run()
    assert mail.outbox == []

    set_stock(product, 5)
    run()
    run()
    assert len(mail.outbox) == 1 and "Mug is back in stock" in mail.outbox[0].body

    set_stock(product, 0)  # sold out again: recorded silently
    run()
    assert len(mail.outbox) == 1
    set_stock(product, 2)  # and back again: a new return, a new e-mail
    run()
    run()
    assert len(mail.outbox) == 2
    assert WishlistAlert.objects.filter(kind="back_in_stock").count() == 2


def test_one_email_per_shopper_per_run_in_batches():
    users = [UserFactory() for _ in range(5)]
    products = [ProductFactory(current_price=Decimal("50.00")) for _ in range(2)]
    for user in users:
        for product in products:
            save(user, product, "60.00")
    output = run(batch_size=2)
    assert len(mail.outbox) == 5
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in users)
    assert all(m.body.count("is now 50.00") == 2 for m in mail.outbox)
    assert "5/5" in output  # the progress bar reached the end
    run(batch_size=2)
    assert len(mail.outbox) == 5


def test_archived_products_and_opted_out_shoppers_get_nothing():
    opted_out, other = UserFactory(), UserFactory()
    archived = ProductFactory(current_price=Decimal("1.00"), status=Product.Status.ARCHIVED)
    live = ProductFactory(current_price=Decimal("1.00"))
    save(other, archived, "50.00")
    save(opted_out, live, "50.00")
    AlertOptOut.objects.create(user=opted_out)
    run()
    assert mail.outbox == []


def test_failed_send_records_nothing_so_the_next_run_retries(settings):
    user = UserFactory()
    product = ProductFactory(current_price=Decimal("10.00"))
    save(user, product, "20.00")
    settings.MAILERS = {"default": {"BACKEND": "tests.wishlist.failing_mail.FailingBackend"}}
    with pytest.raises(CommandError, match="1 e-mails could not be sent"):
        run()
    assert not WishlistAlert.objects.exists()
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    run()
    assert len(mail.outbox) == 1


def test_a_refused_address_holds_back_nobody_else(settings):
    """One bad address in a batch: the others are sent and recorded once; only it is retried."""
    product = ProductFactory(current_price=Decimal("10.00"))
    users = [UserFactory(email=f"{name}@example.com") for name in ("ann", "bounce", "cy")]
    for user in users:
        save(user, product, "20.00")
    settings.MAILERS = {"default": {"BACKEND": "tests.wishlist.failing_mail.RefusesBounces"}}
    with pytest.raises(CommandError, match="1 e-mails could not be sent"):
        run(batch_size=10)
    assert sorted(m.to[0] for m in mail.outbox) == ["ann@example.com", "cy@example.com"]
    assert WishlistAlert.objects.count() == 2
    assert not WishlistAlert.objects.filter(item__user=users[1]).exists()
    with pytest.raises(CommandError):
        run(batch_size=10)  # still refused: retried, and nobody else hears twice
    assert len(mail.outbox) == 2
    users[1].email = "bo@example.com"
    users[1].save()
    run(batch_size=10)
    assert [m.to[0] for m in mail.outbox[2:]] == ["bo@example.com"]
    assert WishlistAlert.objects.count() == 3


def test_opt_out_link_works_without_login(client):
    user = UserFactory()
    product = ProductFactory(current_price=Decimal("10.00"))
    save(user, product, "20.00")
    run()
    message = mail.outbox[0]
    url = re.search(r"https?://\S+/wishlist/alerts/stop/\S+/", message.body).group(0)
    assert message.extra_headers["List-Unsubscribe"] == f"<{url}>"
    # On the wire too: a raw <URL>, not folded into RFC 2047 encoded words.
    assert f"List-Unsubscribe: <{url}>" in message.message().as_string()
    path = url.split("localhost:8000", 1)[1]

    page = client.get(path)
    assert page.status_code == 200 and not AlertOptOut.objects.exists()  # GET only asks
    done = client.post(path)
    assert done.status_code == 200 and 'data-testid="opted-out"' in done.content.decode()
    assert client.post(path).status_code == 200  # twice is fine
    assert AlertOptOut.objects.filter(user=user).count() == 1

    set_price(product, "5.00")
    run()
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("token", ["garbage", "1:abc:def", "MQ:1tBxYz:forged"])
def test_forged_opt_out_tokens_are_refused(client, token):
    UserFactory()
    response = client.post(f"/wishlist/alerts/stop/{token}/")
    assert response.status_code == 400
    assert not AlertOptOut.objects.exists()


def test_token_for_deleted_account_is_a_400(client):
    from apps.wishlist.tokens import make_opt_out_token

    user = UserFactory()
    token = make_opt_out_token(user.pk)
    user.delete()
    assert client.post(f"/wishlist/alerts/stop/{token}/").status_code == 400
