"""Dispatch `python -m bench <scenario> [args]` (or `all`) to the scenario modules."""

from __future__ import annotations

import importlib
import sys

from bench import ALL, SCENARIOS


def main(argv: list[str]) -> int:
    if not argv or argv[0] in {"-h", "--help"}:
        print(f"usage: python -m bench {{{','.join([*SCENARIOS, 'all'])}}} [options]")
        return 0 if argv else 2
    name, rest = argv[0], argv[1:]
    names = ALL if name == "all" else [name]
    status = 0
    for scenario in names:
        if scenario not in SCENARIOS:
            print(f"unknown scenario {scenario!r}; known: {', '.join(SCENARIOS)}", file=sys.stderr)
            return 2
        status |= importlib.import_module(SCENARIOS[scenario]).main(rest)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
