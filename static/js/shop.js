// Site-wide htmx niceties, loaded on every page (no inline scripts: the CSP forbids them).
(function () {
  "use strict";

  function cookie(name) {
    const match = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    return match ? decodeURIComponent(match[1]) : null;
  }

  // Django rotates the CSRF token at login. hx-boost swaps the body's content but keeps the
  // <body> element, so its hx-headers would go on sending the old token: send the cookie's.
  document.addEventListener("htmx:configRequest", function (event) {
    const token = cookie("csrftoken");
    if (token) {
      event.detail.headers["X-CSRFToken"] = token;
    }
  });

  // After a swap, move focus to the new content's heading or main region so keyboard and
  // screen-reader users land where the page changed (boosted navigation only).
  document.addEventListener("htmx:afterSettle", function (event) {
    if (!event.detail.boosted) return;
    const main = document.getElementById("main");
    if (!main) return;
    const heading = main.querySelector("h1");
    const target = heading || main;
    if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
    target.focus({ preventScroll: true });
  });
})();
