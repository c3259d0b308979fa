"""What a person sees on each page of a click-through journey, checked in the browser.

`Watch` records what went wrong while the journey ran (console errors, uncaught page errors,
failed requests, answers >= 400 nobody asked for); `check_page` checks one page as it stands:
its own layout applied (computed styles), every picture loaded, and on a phone nothing wider than
the screen.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Page

from e2e.conftest import wait_for_htmx

SCREENS = Path(__file__).resolve().parents[1] / "e2e-screens" / "journey"

# Empty query parameters in a URL: "?q=&x=1", "&price_min=" at the end.
EMPTY_PARAM = re.compile(r"[?&][^=&#]+=(?=&|#|$)")


@dataclass
class Watch:
    """Everything that went wrong in the page since `attach`, except answers a step expected."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    bad_responses: list[str] = field(default_factory=list)
    expected_statuses: set[tuple[str, int]] = field(default_factory=set)

    def attach(self, page: Page) -> Watch:
        page.add_init_script(RECORD_CSP)
        page.on(
            "console",
            lambda m: m.type == "error" and self.console_errors.append(f"{m.text} @ {m.location}"),
        )
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        page.on(
            "requestfailed",
            lambda r: self.failed_requests.append(f"{r.method} {r.url}: {r.failure}"),
        )
        page.on("response", self._response)
        return self

    def _response(self, response) -> None:
        path = re.sub(r"^https?://[^/]+", "", response.url)
        if response.status >= 400 and (path, response.status) not in self.expected_statuses:
            self.bad_responses.append(f"{response.status} {response.request.method} {path}")

    def problems(self) -> dict[str, list[str]]:
        found = {
            "console errors": self.console_errors,
            "page errors": self.page_errors,
            "failed requests": self.failed_requests,
            "responses >= 400": self.bad_responses,
        }
        return {kind: items for kind, items in found.items() if items}


# Which element a Content-Security-Policy violation came from (the console names only the script).
RECORD_CSP = """document.addEventListener("securitypolicyviolation", (e) => {
  const html = e.target && e.target.outerHTML;
  const where = html ? html.slice(0, 160) : String(e.target);
  console.error("CSP " + e.violatedDirective + " blocked on: " + where);
});"""

LOAD_EVERY_IMAGE = """async () => {
  // Lazy images load when scrolled to: ask for all of them now, then wait for each to settle.
  const images = Array.from(document.images);
  images.forEach((img) => { img.loading = "eager"; });
  await Promise.all(images.map((img) => img.complete ? null : new Promise((done) => {
    img.addEventListener("load", done, { once: true });
    img.addEventListener("error", done, { once: true });
  })));
  return images.filter((img) => !(img.complete && img.naturalWidth > 0))
               .map((img) => img.currentSrc || img.src);
}"""

OVERFLOW = """() => {
  const width = window.innerWidth;
  const wide = Array.from(document.querySelectorAll("body *")).filter((el) => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.right > width + 1 && getComputedStyle(el).position !== "fixed";
  }).slice(0, 5).map((el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
      (typeof el.className === "string" && el.className ? "." + el.className : ""));
  return { scrollWidth: document.scrollingElement.scrollWidth, innerWidth: width, wide };
}"""


def assert_no_sideways_scroll(page: Page, name: str = "") -> None:
    """Nothing wider than the window (WCAG reflow); the message names the widest elements."""
    overflow = page.evaluate(OVERFLOW)
    assert overflow["scrollWidth"] <= overflow["innerWidth"], f"{name or page.url}: {overflow}"


def style(page: Page, selector: str, prop: str) -> str:
    return page.eval_on_selector(
        selector, "(el, prop) => getComputedStyle(el).getPropertyValue(prop)", prop
    )


def grid_columns(page: Page, selector: str) -> int:
    value = style(page, selector, "grid-template-columns")
    return 0 if value in ("", "none") else len(value.split())


def check_page(page: Page, name: str, phone: bool, layout) -> None:
    """One page: settled, its own layout (`layout(page, phone)` asserts it), every <img>
    loaded, nothing wider than a phone's screen; a screenshot for people to look at."""
    wait_for_htmx(page)
    page.wait_for_load_state("load")
    layout(page, phone)
    broken = page.evaluate(LOAD_EVERY_IMAGE)
    assert broken == [], f"{name}: images that did not load: {broken}"
    if phone:
        header = page.locator("header.site-header").bounding_box()
        assert header["height"] <= 0.1 * page.viewport_size["height"], f"{name}: header {header}"
        assert_no_sideways_scroll(page, name)
    SCREENS.mkdir(parents=True, exist_ok=True)
    width = page.viewport_size["width"]
    page.screenshot(path=str(SCREENS / f"{width}-{name}.png"), full_page=True)


def assert_clean_url(page: Page) -> None:
    assert not EMPTY_PARAM.search(page.url), f"empty parameters in {page.url}"
