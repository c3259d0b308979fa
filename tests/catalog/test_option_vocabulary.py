"""The option vocabulary is a trigger-kept table on PostgreSQL (models.OptionValue)."""

from __future__ import annotations

import pytest

from apps.catalog.models import OptionValue, Variant
from apps.catalog.selectors import catalog_meta
from tests.catalog.factories import AttributeDefinitionFactory
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def pairs() -> set[tuple[str, str]]:
    return set(OptionValue.objects.values_list("key", "value"))


def test_every_write_path_records_option_values_and_the_vocabulary_reads_them(
    django_assert_num_queries,
):
    AttributeDefinitionFactory(slug="size", name="Size", filterable=True)
    product = ProductFactory()
    Variant.objects.create(product=product, sku="V-42", options={"size": "42"}, price=10)
    Variant.objects.bulk_create(
        [Variant(product=product, sku="V-43", options={"size": "43"}, price=10)]
    )
    Variant.objects.filter(sku="V-43").update(options={"size": "44"})
    assert {("size", "42"), ("size", "43"), ("size", "44")} <= pairs()
    with django_assert_num_queries(2):  # categories, then attributes and options in one
        meta = catalog_meta()
    [size] = [d for d in meta.definitions if d.slug == "size"]
    assert size.is_option
    assert {"42", "43", "44"} <= set(size.values)


def test_a_write_that_rolls_back_records_nothing():
    from django.db import transaction

    product = ProductFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        Variant.objects.create(product=product, sku="V-X", options={"fit": "slim"}, price=10)
        raise RuntimeError
    assert ("fit", "slim") not in pairs()
