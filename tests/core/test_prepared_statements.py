"""PostgreSQL statements are bound server-side and prepared after a few runs on a connection
(shop/settings/base.py: DB_PREPARED_STATEMENTS): the shop's short queries then skip parsing and
planning. Checked in PostgreSQL's own view of the session's prepared statements."""

from __future__ import annotations

import pytest
from django.db import connection

from apps.catalog.models import Product
from shop.settings.base import database_from_url
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def prepared() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def test_a_query_run_five_times_is_prepared_with_its_parameters_bound_by_the_server():
    product = ProductFactory(name="Lamp")
    marker = "hypershop_prepared_probe"
    sql = f"SELECT name /* {marker} */ FROM catalog_product WHERE id = %s"
    for run in range(6):
        with connection.cursor() as cursor:
            cursor.execute(sql, [product.pk])
            assert cursor.fetchone() == ("Lamp",)
        if run == 0:
            assert not [s for s in prepared() if marker in s]
    [statement] = [s for s in prepared() if marker in s]
    assert "$1" in statement  # the value is a parameter, not in the text
    # ORM queries too: the same text on every run, so the same prepared statement.
    for _ in range(6):
        assert Product.objects.filter(pk=product.pk).values_list("name", flat=True)[0] == "Lamp"
    assert any("catalog_product" in s and "$1" in s and marker not in s for s in prepared())


def test_prepared_statements_can_be_turned_off(monkeypatch):
    on = database_from_url("postgres://u@h:5432/d")["OPTIONS"]
    assert on["server_side_binding"] is True and on["prepare_threshold"] == 5
    monkeypatch.setattr("shop.settings.base.PREPARED", False)
    off = database_from_url("postgres://u@h:5432/d")["OPTIONS"]
    assert off["server_side_binding"] is False and off["prepare_threshold"] is None
