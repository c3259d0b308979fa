"""Write static/css/site.css, the shop's one stylesheet: Pico CSS followed by shop.css, joined.

One render-blocking request instead of two (on a slow mobile link each extra stylesheet costs a
round trip before the first paint). No build tool: the bundle is committed next to its sources
and tests/core/test_shell_assets.py fails when it no longer equals their concatenation. After
editing static/css/shop.css (or updating Pico), run:

    python scripts/bundle_css.py          # rewrite the bundle
    python scripts/bundle_css.py --check  # exit 1 if it is stale
"""

from __future__ import annotations

import sys
from pathlib import Path

CSS = Path(__file__).resolve().parent.parent / "static" / "css"
SOURCES = ("pico.min.css", "shop.css")
BUNDLE = CSS / "site.css"
# Pico's @charset must stay the very first bytes, so the note goes between the two sources.
NOTE = (
    "\n/* site.css = {sources}, joined by scripts/bundle_css.py: edit the sources, not this. */\n"
)


def bundle() -> str:
    pico, shop = (CSS / name for name in SOURCES)
    return pico.read_text() + NOTE.format(sources=" + ".join(SOURCES)) + shop.read_text()


def main(argv: list[str]) -> int:
    expected = bundle()
    if "--check" in argv:
        if not BUNDLE.exists() or BUNDLE.read_text() != expected:
            print(f"{BUNDLE} is stale: run python scripts/bundle_css.py", file=sys.stderr)
            return 1
        return 0
    BUNDLE.write_text(expected)
    print(f"wrote {BUNDLE} ({len(expected.encode())} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
