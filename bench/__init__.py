"""Benchmarks: `python -m bench <scenario>`; each scenario is a module with a `main(argv)`.

`make bench` runs `all` (shopper paths under gunicorn + wrk, the flash sale, a Redis stall);
`make bench-scale` runs `scale`; `catalog` times the listing in-process at 100,000 products and
`suggest` the header search box's suggestions.
Add a scenario by writing `bench/<name>.py` with `main(argv: list[str]) -> int` and listing it in
SCENARIOS below.
"""

from __future__ import annotations

SCENARIOS: dict[str, str] = {
    "shopper": "bench.scenarios",
    "flashsale": "bench.flashsale",
    "scale": "bench.scale",
    "catalog": "bench.catalog",
    "suggest": "bench.suggest",
    "stall": "bench.stall",
    "keyset": "bench.keyset",
    "facetindex": "bench.facetindex",
    "lighthouse": "bench.lighthouse",
    "plans": "bench.plans",
}
ALL = ["shopper", "flashsale", "stall"]
