// Site-wide htmx niceties, loaded on every page (no inline scripts: the CSP forbids them).
(function () {
  "use strict";

  function cookie(name) {
    const match = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    return match ? decodeURIComponent(match[1]) : null;
  }

  // Django rotates the CSRF token at login. hx-boost swaps the body's content but keeps the
  // <body> element, so its data-hx-headers would go on sending the old token: send the cookie's,
  // as the only CSRF header (two spellings of one header reach Django joined as "old, new").
  document.addEventListener("htmx:configRequest", function (event) {
    const token = cookie("csrftoken");
    if (token) {
      const headers = event.detail.headers;
      Object.keys(headers).forEach(function (key) {
        if (key.toLowerCase() === "x-csrftoken") delete headers[key];
      });
      headers["X-CSRFToken"] = token;
    }
  });

  // A GET form sends every field, filled or not: leave the empty ones out, so the request (and
  // the URL htmx pushes) reads ?color=red, not ?q=&price_min=&price_max=&color=red. The server
  // redirects a plain (no-JavaScript) submission to the same clean URL.
  document.addEventListener("htmx:configRequest", function (event) {
    if (event.detail.verb !== "get") return;
    const data = event.detail.formData;
    Array.from(new Set(data.keys())).forEach(function (name) {
      const values = data.getAll(name).filter(function (value) { return value !== ""; });
      data.delete(name);
      values.forEach(function (value) { data.append(name, value); });
    });
  });

  function focusOn(target) {
    if (!target.hasAttribute("tabindex") && target.tabIndex < 0) target.setAttribute("tabindex", "-1");
    target.focus({ preventScroll: true });
  }

  // Where a keyboard or screen-reader user should land in new content: the first field in error,
  // else the content's own heading, else the content itself.
  function landingSpot(content) {
    return (
      content.querySelector("[aria-invalid='true']") ||
      content.querySelector("h2") ||
      content.querySelector("h1") ||
      content
    );
  }

  document.addEventListener("htmx:afterSettle", function (event) {
    const main = document.getElementById("main");
    if (!main) return;
    // Boosted navigation: a new page, so start at its heading (or main).
    if (event.detail.boosted) {
      focusOn(main.querySelector("h1") || main);
      return;
    }
    // A swap in the page. htmx keeps focus on a control that has an id; when the focused control
    // was replaced by content without it, focus fell to <body>: move it into the new content.
    const content = event.target;
    const active = document.activeElement;
    const lost = !active || active === document.body || !document.contains(active);
    if (lost && content instanceof Element && main.contains(content)) focusOn(landingSpot(content));
  });

  // Swapped-in content marked data-announce (a result count, say) is read out by the page's one
  // persistent live region: a live region that is itself replaced is not reliably announced.
  document.addEventListener("htmx:afterSettle", function (event) {
    const content = event.target;
    const announcer = document.getElementById("announcer");
    if (!announcer || !(content instanceof Element)) return;
    const marked = content.matches("[data-announce]") ? content : content.querySelector("[data-announce]");
    if (marked) announcer.textContent = marked.textContent.trim();
  });
})();
