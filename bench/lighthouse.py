"""Lighthouse (mobile preset) on the shopper pages, served as in production: nginx in front of
gunicorn (`e2e.servers.production_shop`, the compose file's own nginx template), on the bench
database seeded by `bench.prepare`.

    python -m bench lighthouse [--products 1000] [--runs 1]

Lighthouse is not a dependency of the shop or its tests: install it once into `.tools/`
(`npm install --prefix .tools/lighthouse lighthouse`) or point LIGHTHOUSE at a binary. It drives
the system's Chromium (CHROME_PATH, default /usr/bin/chromium). Prints the performance score,
LCP, FCP, total blocking time, CLS and bytes transferred per page (the median run by score).
Timings on a shared machine move with its load: compare runs made together.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.common import (
    BENCH_REDIS,
    ROOT,
    database_url,
    ensure_database,
    prepare,
    print_table,
)

LIGHTHOUSE = os.environ.get(
    "LIGHTHOUSE", str(ROOT / ".tools" / "lighthouse" / "node_modules" / ".bin" / "lighthouse")
)
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage"


def pages(targets: dict) -> dict[str, str]:
    return {
        "home": "/",
        "catalog": "/catalog/",
        "category": f"/catalog/{targets['category']}/",
        "product": f"/products/{targets['variant_product_slug']}/",
        "cart (empty)": "/cart/",
    }


def run_lighthouse(url: str) -> dict:
    """One Lighthouse run (default mobile preset: simulated slow 4G and 4x CPU slowdown)."""
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    output = subprocess.run(
        [
            LIGHTHOUSE,
            url,
            "--only-categories=performance",
            "--output=json",
            "--output-path=stdout",
            "--quiet",
            f"--chrome-flags={CHROME_FLAGS}",
        ],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    ).stdout
    report = json.loads(output)
    audits = report["audits"]
    return {
        "score": round(report["categories"]["performance"]["score"] * 100),
        "lcp_ms": audits["largest-contentful-paint"]["numericValue"],
        "fcp_ms": audits["first-contentful-paint"]["numericValue"],
        "tbt_ms": audits["total-blocking-time"]["numericValue"],
        "cls": audits["cumulative-layout-shift"]["numericValue"],
        "bytes": audits["total-byte-weight"]["numericValue"],
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench lighthouse")
    parser.add_argument("--products", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=1, help="runs per page; the median is shown")
    args = parser.parse_args(argv)
    if not Path(LIGHTHOUSE).exists():
        print(
            f"lighthouse not found at {LIGHTHOUSE}: "
            "npm install --prefix .tools/lighthouse lighthouse"
        )
        return 2

    from e2e.servers import production_shop

    # A cache namespace of its own: renders another version of the code cached in the bench
    # Redis (same catalog version, same keys) are never served to this run.
    os.environ["CACHE_KEY_PREFIX"] = f"lighthouse-{os.getpid()}-{int(time.time())}"
    db_url = database_url(args.products)
    ensure_database(db_url)
    targets = prepare(db_url, "catalog", "--products", str(args.products))
    rows, results = [], {}
    with (
        tempfile.TemporaryDirectory() as workdir,
        production_shop(Path(workdir), db_url, BENCH_REDIS, ROOT / ".bench-media") as base,
    ):
        for name, path in pages(targets).items():
            with urllib.request.urlopen(base + path, timeout=30):  # warm the caches
                pass
            runs = sorted(
                (run_lighthouse(base + path) for _ in range(args.runs)), key=lambda r: r["score"]
            )
            best = runs[len(runs) // 2]
            results[name] = {"path": path, **best, "scores": [r["score"] for r in runs]}
            rows.append(
                [
                    name,
                    str(best["score"]),
                    f"{best['lcp_ms']:.0f}",
                    f"{best['fcp_ms']:.0f}",
                    f"{best['tbt_ms']:.0f}",
                    f"{best['cls']:.3f}",
                    f"{best['bytes'] / 1024:.0f}",
                ]
            )
    load = os.getloadavg()[0]
    print(f"Lighthouse mobile preset, {args.products} products, load average {load:.1f}")
    print_table(["page", "score", "LCP ms", "FCP ms", "TBT ms", "CLS", "KiB"], rows)
    if args.runs > 1:
        print("scores per run:", json.dumps({n: r["scores"] for n, r in results.items()}))
    return 0
