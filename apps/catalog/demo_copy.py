"""seed_demo's PostgreSQL writer: COPY instead of INSERT, for catalogs of a million products.

Rows go in with `COPY ... FROM STDIN` (psycopg 3), one COPY per table and batch, so memory stays
flat at any size. Products and variants get their ids here (reserved from their identity
sequences under a table lock) so that variants, stock, attributes and pictures can point at
them without reading anything back. The search vector is computed by the product table's own
trigger (migration 0002) as each row is copied: the same SQL the shop uses on every save, and
no second pass that would rewrite every product.

A large load (REBUILD_AT products or more) first drops the five tables' indexes (all but the
primary keys), unique constraints and foreign keys, and creates them again from their saved
definitions after the last row: one sort per index instead of millions of tree inserts, one
anti-join per foreign key instead of a deferred check per row (the keys are DEFERRABLE
INITIALLY DEFERRED, so each copied row would otherwise queue a trigger event until commit).
Adding a unique constraint or a foreign key back checks every row, so a duplicate or a dangling
id still fails the seed; check constraints stay in place throughout. All of this runs inside
seed_demo's transaction: if anything fails, the indexes and keys come back with the rollback.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime

from django.db import connection
from django.utils import timezone

from .demo_catalog import IMAGE_SIZE, PlannedProduct

TABLES = (
    "catalog_product",
    "catalog_variant",
    "catalog_stock",
    "catalog_productattribute",
    "catalog_productimage",
)
REBUILD_AT = 20_000

PRODUCT_COLUMNS = (
    "id, sku, slug, name, description, category_id, product_type_id, primary_warehouse_id, "
    "current_price, compare_at_price, max_price, on_sale, has_options, swatches, status, "
    "created_at, updated_at"
)
VARIANT_COLUMNS = "id, product_id, sku, options, price, compare_at_price, status, sort_order"
STOCK_COLUMNS = "variant_id, warehouse_id, quantity"
ATTRIBUTE_COLUMNS = "product_id, definition_id, value"
IMAGE_COLUMNS = "product_id, image, width, height, alt_text, option_value, is_primary, sort_order"


class CopyWriter:
    """Used as a context manager around the batches: entering reserves ids (and drops indexes
    for a large load), leaving moves the sequences past the ids used (and rebuilds)."""

    def __init__(self, ids: dict, image: Callable[[str, str], str], count: int, log=None) -> None:
        self.ids, self.image, self.log = ids, image, log
        self.rebuild = count >= REBUILD_AT
        self.now: datetime = timezone.now()
        self.saved_indexes: list[str] = []
        self.saved_keys: list[tuple[str, str, str]] = []

    def __enter__(self) -> CopyWriter:
        self.cursor = connection.cursor()
        self.cursor.execute(f"LOCK TABLE {', '.join(TABLES)} IN SHARE ROW EXCLUSIVE MODE")
        self.next_product = self._first_free_id("catalog_product")
        self.next_variant = self._first_free_id("catalog_variant")
        if self.rebuild:
            self._drop_indexes_and_keys()
        return self

    def __exit__(self, exc_type, exc, traceback) -> None:
        try:
            if exc_type is None:
                for table, next_id in (
                    ("catalog_product", self.next_product),
                    ("catalog_variant", self.next_variant),
                ):
                    self.cursor.execute(
                        "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s, false)",
                        [table, next_id],
                    )
                if self.rebuild:
                    self._restore_indexes_and_keys()
        finally:
            self.cursor.close()

    def _first_free_id(self, table: str) -> int:
        """Past both the sequence and the largest id in the table (rows inserted with an
        explicit id do not move the sequence)."""
        self.cursor.execute(
            f"SELECT GREATEST(nextval(pg_get_serial_sequence(%s, 'id')), "
            f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table}))",
            [table],
        )
        return self.cursor.fetchone()[0]

    def _say(self, message: str) -> None:
        if self.log is not None:
            self.log.write(message)

    def _drop_indexes_and_keys(self) -> None:
        # Rows written earlier in this transaction (categories, a reset's deletes) have their
        # deferred key checks pending, and a table with pending checks cannot be altered.
        self.cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        # Every index but the primary keys and those owned by a constraint (dropped with it).
        self.cursor.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "WHERE i.indrelid::regclass::text = ANY(%s) AND NOT i.indisprimary "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) "
            "ORDER BY 1",
            [list(TABLES)],
        )
        indexes = self.cursor.fetchall()
        # Unique constraints, then foreign keys: the order they are added back in.
        self.cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE contype IN ('u', 'f') "
            "AND conrelid::regclass::text = ANY(%s) ORDER BY contype DESC, 1, 2",
            [list(TABLES)],
        )
        self.saved_keys = self.cursor.fetchall()
        self.saved_indexes = [definition for _, definition in indexes]
        for table, name, _ in reversed(self.saved_keys):
            self.cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _ in indexes:
            self.cursor.execute(f"DROP INDEX {name}")
        self._say(
            f"Dropped {len(indexes)} indexes and {len(self.saved_keys)} unique and foreign keys "
            "for the load; they are rebuilt (and every row checked) after it."
        )

    def _restore_indexes_and_keys(self) -> None:
        self.cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        for table, name, definition in self.saved_keys:
            self._say(f"  {table}: {name}")
            self.cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        for definition in self.saved_indexes:
            self._say(f"  {definition}")
            self.cursor.execute(definition)
        self._say(
            f"Rebuilt {len(self.saved_indexes)} indexes and {len(self.saved_keys)} unique and "
            "foreign keys."
        )

    def write(self, batch: list[PlannedProduct]) -> int:
        """Writes one batch of planned products; returns how many variants it held."""
        warehouses, definitions = self.ids["warehouses"], self.ids["definitions"]
        types, now, cursor = self.ids["types"], self.now, self.cursor
        product_ids = range(self.next_product, self.next_product + len(batch))
        self.next_product += len(batch)
        with cursor.copy(f"COPY catalog_product ({PRODUCT_COLUMNS}) FROM STDIN") as copy:
            for pid, p in zip(product_ids, batch, strict=True):
                copy.write_row(
                    (
                        pid,
                        p.sku,
                        p.slug,
                        p.name,
                        p.description,
                        p.leaf.category_id,
                        types[p.kind],
                        warehouses[0],
                        p.current_price,
                        p.compare_at_price,
                        p.max_price,
                        p.on_sale,
                        p.has_options,
                        json.dumps(p.swatches),
                        p.status,
                        now,
                        now,
                    )
                )
        stock = []
        variant_id = self.next_variant
        with cursor.copy(f"COPY catalog_variant ({VARIANT_COLUMNS}) FROM STDIN") as copy:
            for pid, p in zip(product_ids, batch, strict=True):
                for v in p.variants:
                    copy.write_row(
                        (
                            variant_id,
                            pid,
                            v.sku,
                            json.dumps(v.options),
                            v.price,
                            v.compare_at_price,
                            "active",
                            v.sort_order,
                        )
                    )
                    for position, quantity in v.stock:
                        stock.append((variant_id, warehouses[position], quantity))
                    variant_id += 1
        variants = variant_id - self.next_variant
        self.next_variant = variant_id
        with cursor.copy(f"COPY catalog_stock ({STOCK_COLUMNS}) FROM STDIN") as copy:
            for row in stock:
                copy.write_row(row)
        with cursor.copy(f"COPY catalog_productattribute ({ATTRIBUTE_COLUMNS}) FROM STDIN") as copy:
            for pid, p in zip(product_ids, batch, strict=True):
                for slug, value in p.attributes:
                    copy.write_row((pid, definitions[slug], value))
        # Pictures are drawn (once each) before the COPY starts, not while it waits.
        names = [[self.image(p.leaf.family, i.colour) for i in p.images] for p in batch]
        with cursor.copy(f"COPY catalog_productimage ({IMAGE_COLUMNS}) FROM STDIN") as copy:
            for pid, p, files in zip(product_ids, batch, names, strict=True):
                for i, name in zip(p.images, files, strict=True):
                    copy.write_row(
                        (
                            pid,
                            name,
                            IMAGE_SIZE,
                            IMAGE_SIZE,
                            i.alt_text,
                            i.option_value,
                            i.is_primary,
                            i.sort_order,
                        )
                    )
        return variants
