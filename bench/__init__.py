"""Benchmarks: `python -m bench <scenario>`; each scenario is a module with a `main(argv)`.

Add a scenario by writing `bench/<name>.py` with `main(argv: list[str]) -> int` and listing it in
SCENARIOS below.
"""

from __future__ import annotations

SCENARIOS: dict[str, str] = {
    "catalog": "bench.catalog",
}
