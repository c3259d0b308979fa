"""Scale curve: the catalog rows at 1,000, 10,000 and 100,000 products (one database each, seeded
once), to show that p95 and queries per request do not grow with the catalog.

    python -m bench scale [--sizes 1000 10000 100000] [--seconds 6]
"""

from __future__ import annotations

import argparse

from bench import report
from bench.scenarios import catalog_rows, measure


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench scale")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--seconds", type=float, default=6)
    args = parser.parse_args(argv)
    sizes = []
    for products in args.sizes:
        print(f"catalog rows at {products:,} products")
        sizes.append(measure(products, args.seconds, lambda targets, _: catalog_rows(targets)))
    section = {"sizes": sizes}
    report.save("scale", section)
    print(report.scale_table(section))
    return 0 if all(r["errors"] == 0 for s in sizes for r in s["rows"]) else 1
