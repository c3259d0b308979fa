"""axe-core (vendored from the npm registry) run inside the page by Playwright."""

from __future__ import annotations

from pathlib import Path

AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()
SERIOUS = {"serious", "critical"}


def axe_violations(page, impacts: set[str] = SERIOUS) -> list[dict]:
    """Serious and critical WCAG 2.x A/AA violations on the current page."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol, which the page's CSP does not govern.
        page.evaluate(AXE_SOURCE)
    results = page.evaluate(
        """async () => await window.axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
            resultTypes: ['violations'],
        })"""
    )
    return [v for v in results["violations"] if v.get("impact") in impacts]


def settle(page) -> None:
    """Finish the CSS transitions running now, so axe reads the colours they end at.

    Emulating a colour scheme restyles the page; Pico's buttons and links then transition their
    colours for 0.2 s, and a transition already running keeps its duration when reduced motion
    is emulated with it. Seen in CI: an audit caught the catalog's card buttons 66 ms into that
    transition (text #c4c4c4 on #4f8d7e, a blend no one sees for more than a moment)."""
    page.evaluate(
        """() => document.getAnimations().forEach(animation => {
            try { animation.finish(); } catch (infinite) { animation.cancel(); }
        })"""
    )


def assert_accessible(page, label: str = "") -> None:
    settle(page)
    violations = axe_violations(page)
    summary = [
        f"{v['id']} ({v['impact']}): {v['help']} -> "
        + "; ".join(f"{n['target']}: {n.get('failureSummary', '')}" for n in v["nodes"][:3])
        for v in violations
    ]
    assert not violations, f"axe found serious problems on {page.url} {label}:\n" + "\n".join(
        summary
    )
