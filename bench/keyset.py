"""Keyset pagination at scale: EXPLAIN ANALYZE of the listing's page query, per way of paging.

`python -m bench keyset --database-url postgres://.../db` on a database seeded with
`seed_demo --products 100000`. For each keyset sort, the card query the listing really runs
(captured from `catalog_page`, the facet summary already cached) is explained for: page 1, a
page in the middle (the deepest OFFSET left: half the matches), a page three quarters deep
(counted from the end), the last page (from the end), "load more" by cursor from the middle, and,
for comparison, the plain OFFSET this replaced for the last page. Median of --runs executions.
"""

from __future__ import annotations

import argparse
import math
import re
import statistics

from bench.catalog import setup_django
from bench.common import print_table


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench keyset")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--per-page", type=int, default=24)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sorts", default="price_asc,price_desc,newest,name")
    args = parser.parse_args(argv)
    setup_django(args.database_url)

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from apps.catalog import selectors
    from apps.catalog.cursor import KEYSET_FIELDS, Cursor
    from apps.catalog.filters import CatalogFilters, filtered_products

    filters = CatalogFilters()
    meta = selectors.catalog_meta()
    total = selectors.cached_facet_summary(filters, meta).total
    per_page = args.per_page
    last = math.ceil(total / per_page)
    print(f"{total:,} listed products, {per_page} per page, {last:,} pages")

    def explain(sql: str) -> tuple[float, str]:
        times, plan = [], []
        with connection.cursor() as cursor:
            for _ in range(args.runs):
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
                plan = [row[0] for row in cursor.fetchall()]
                times.append(float(re.search(r"Execution Time: ([\d.]+)", plan[-1]).group(1)))
        return statistics.median(times), _id_scan(plan)

    def page_sql(sort: str, **kwargs) -> str:
        with CaptureQueriesContext(connection) as ctx:
            selectors.catalog_page(filters, meta, sort=sort, per_page=per_page, **kwargs)
        (query,) = [q["sql"] for q in ctx.captured_queries if "catalog_product" in q["sql"]]
        return query

    rows = []
    for sort in args.sorts.split(","):
        ordering = selectors.ORDERINGS[sort]
        middle = last // 2
        ids = filtered_products(filters).order_by(*ordering)
        pivot = ids.values_list(KEYSET_FIELDS[sort], "pk")[(middle - 1) * per_page - 1]
        offset_last = ids.values("pk")[(last - 1) * per_page : last * per_page]
        with CaptureQueriesContext(connection) as ctx:
            list(selectors._card_rows().filter(pk__in=offset_last).order_by(*ordering))
        cases = [
            ("page 1", page_sql(sort, page=1)),
            (f"page {middle:,} (middle, OFFSET)", page_sql(sort, page=middle)),
            (f"page {last * 3 // 4:,} (from the end)", page_sql(sort, page=last * 3 // 4)),
            (f"page {last:,} (last, from the end)", page_sql(sort, page=last)),
            (
                f"load more after page {middle - 1:,} (cursor)",
                page_sql(sort, page=middle, after=Cursor(sort, pivot[0], pivot[1])),
            ),
            (f"page {last:,} by plain OFFSET (before)", ctx.captured_queries[-1]["sql"]),
        ]
        for label, sql in cases:
            ms, scan = explain(sql)
            rows.append([sort, label, f"{ms:.2f}", scan])
    print_table(["sort", "page", "execution ms (median)", "id scan"], rows)
    return 0


def _id_scan(plan: list[str]) -> str:
    """The plan's scan over the product sort index (the id subquery), with its row count."""
    for line in plan:
        if "product_listing_" in line or "product_status_" in line:
            node = line.strip().lstrip("-> ").split("  (")[0]
            rows = re.search(r"actual time=[\d.]+\.\.[\d.]+ rows=([\d.]+)", line)
            return f"{node}: {rows.group(1) if rows else '?'} rows"
    return next((line.strip() for line in plan if "Sort Method" in line), "?")
