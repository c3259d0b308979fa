"""Scale: the cold path (no application cache) of every catalog page the issue names, at one or
more catalog sizes, to show that server time stays within its target and queries per request do
not grow with the catalog.

    python -m bench scale [--sizes 100000,1000000] [--requests 30] [--seed 42]
    make bench-scale BENCH_SIZES=100000,1000000

Each size has its own database (`hypershop_bench_<N>`, see bench/common.py), seeded by seed_demo
the first time and reused afterwards (a 1,000,000-product seed takes the better part of an
hour on a loaded 2-core machine). For each size, bench/coldpath.py times ≥ 30 cold requests
(cache cleared before each) and as many warm ones per path, in process.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys

from bench import report
from bench.common import ROOT, bench_env, database_url, ensure_database, prepare

DEFAULT_SIZES = [1_000, 10_000, 100_000]
MAX_SIZE = 10_000_000
MIN_REQUESTS = 30
QUERY_TARGET = 4
_SIZE = re.compile(r"(\d+(?:_\d+)*)([km]?)", re.IGNORECASE)


def parse_sizes(text: str) -> list[int]:
    """ "100000,1000000" (also "100k,1m", "100_000") as catalog sizes; anything else is refused
    with a message, before a database is touched."""
    sizes: list[int] = []
    for part in text.split(","):
        match = _SIZE.fullmatch(part.strip())
        if match is None:
            raise argparse.ArgumentTypeError(
                f"not a catalog size: {part.strip()!r} (want products, e.g. 100000,1000000)"
            )
        size = (
            int(match[1].replace("_", "")) * {"": 1, "k": 1_000, "m": 1_000_000}[match[2].lower()]
        )
        if not 1 <= size <= MAX_SIZE:
            raise argparse.ArgumentTypeError(f"catalog size {size:,} is not in 1..{MAX_SIZE:,}")
        if size in sizes:
            raise argparse.ArgumentTypeError(f"catalog size {size:,} is listed twice")
        sizes.append(size)
    return sizes


def target_ms(products: int) -> float | None:
    """The issue's cold p95 targets: 30 ms up to 100,000 products, 80 ms up to 1,000,000."""
    if products <= 100_000:
        return 30.0
    if products <= 1_000_000:
        return 80.0
    return None


def requests_count(text: str) -> int:
    value = int(text)
    if value < MIN_REQUESTS:
        raise argparse.ArgumentTypeError(f"at least {MIN_REQUESTS} requests for a p95")
    return value


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench scale")
    parser.add_argument(
        "--sizes",
        type=parse_sizes,
        nargs="+",
        default=[DEFAULT_SIZES],
        help="catalog sizes, comma- or space-separated (default 1000,10000,100000)",
    )
    parser.add_argument("--requests", type=requests_count, default=MIN_REQUESTS)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--statement-timeout-ms",
        type=int,
        default=5000,
        help="the shop's statement timeout while measuring (production: 5000; 0 for none, to "
        "see how long a path that times out really takes)",
    )
    return parser


def measure_size(products: int, requests: int, seed: int, timeout_ms: int = 5000) -> dict:
    url = database_url(products)
    ensure_database(url)
    print(f"{products:,} products: {url} (seeded once, then reused)", flush=True)
    # No statement timeout while preparing: seeding a million products takes a long while.
    targets = prepare(
        url, "catalog", "--products", str(products), "--seed", str(seed), STATEMENT_TIMEOUT_MS="0"
    )
    if targets["seed_seconds"] is not None:
        print(f"  seeded in {targets['seed_seconds']:,.0f} s", flush=True)
    output = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.coldpath",
            "--targets",
            json.dumps(targets),
            "--requests",
            str(requests),
        ],
        env=bench_env(url, STATEMENT_TIMEOUT_MS=str(timeout_ms)),
        check=True,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    ).stdout
    line = next(line for line in output.splitlines() if line.startswith("BENCHJSON "))
    return {
        "products": products,
        "active": targets["active"],
        "seed_seconds": targets["seed_seconds"],
        "database": url.rsplit("/", 1)[-1],
        "target_ms": target_ms(products),
        "statement_timeout_ms": timeout_ms,
        "rows": json.loads(line.removeprefix("BENCHJSON ")),
    }


def verdict(size: dict) -> bool:
    """Every path within the size's p95 target, at most QUERY_TARGET queries (the facet index's
    periodic sync included), its own queries always the same number, no errors."""
    target = size["target_ms"]
    return all(
        r["errors"] == 0
        and r["cold_queries_max"] <= QUERY_TARGET
        and r.get("cold_own_queries_min", r["cold_queries_min"])
        == r.get("cold_own_queries_max", r["cold_queries_max"])
        and (target is None or r["cold_p95_ms"] <= target)
        for r in size["rows"]
    )


def merged(results: list[dict]) -> list[dict]:
    """This run's sizes plus the sizes an earlier cold-path run measured and this one did not:
    `BENCH_SIZES=1000000` after `BENCH_SIZES=100000` reports both."""
    earlier = report.load().get("scale", {})
    measured = {size["products"] for size in results}
    kept = [
        size
        for size in earlier.get("sizes", [])
        if earlier.get("kind") == "cold" and size["products"] not in measured
    ]
    return sorted([*kept, *results], key=lambda size: size["products"])


def main(argv: list[str]) -> int:
    args = parser().parse_args(argv)
    sizes = [size for group in args.sizes for size in group]
    if len(set(sizes)) != len(sizes):
        parser().error("a catalog size is listed twice")
    results = [
        measure_size(products, args.requests, args.seed, args.statement_timeout_ms)
        for products in sizes
    ]
    section = {"kind": "cold", "requests": args.requests, "sizes": merged(results)}
    report.save("scale", section)
    print()
    print(report.scale_table(section))
    for size in results:
        met = "meets" if verdict(size) else "misses"
        print(
            f"{size['products']:,} products: {met} the targets (cold p95 <= "
            f"{size['target_ms']} ms, <= {QUERY_TARGET} queries, constant)"
        )
    return 0 if all(r["errors"] == 0 for s in results for r in s["rows"]) else 1
