/*
 * Hypershop wishlist: anonymous hearts in localStorage, merged into the account after login.
 *
 * Anonymous shoppers: a heart's form (data-mode="local") is intercepted and the item
 * {productId, priceSnapshot, addedAt} is toggled in localStorage; the header counter and the
 * wishlist page (rendered by the server from the stored ids) follow it.
 * Signed-in shoppers: hearts are plain htmx forms; this script does not touch them.
 * After login or sign-up (a boosted swap, or a full page load) the header says
 * data-user-authenticated="true": the stored items are posted to the merge endpoint and removed
 * from localStorage ONLY after a 2xx JSON report. A failed merge keeps everything and is retried
 * after the next page load or swap. Event delegation on document: cards swapped in later work.
 */
(function () {
  "use strict";

  var KEY = "hypershop:wishlist";
  var MAX_ITEMS = 200; // the merge endpoint accepts at most this many
  var merging = false;

  function read() {
    try {
      var items = JSON.parse(localStorage.getItem(KEY) || "[]");
      return Array.isArray(items)
        ? items.filter(function (item) {
            return item && Number.isInteger(item.productId) && item.productId > 0;
          })
        : [];
    } catch (error) {
      return [];
    }
  }

  function write(items) {
    if (items.length) {
      localStorage.setItem(KEY, JSON.stringify(items));
    } else {
      localStorage.removeItem(KEY);
    }
  }

  function header() {
    return document.getElementById("wishlist-link");
  }

  function signedIn() {
    var link = header();
    return !!link && link.dataset.userAuthenticated === "true";
  }

  function setPressed(form, saved) {
    var button = form.querySelector("button");
    var icon = form.querySelector("[data-heart-icon]");
    if (button) button.setAttribute("aria-pressed", saved ? "true" : "false");
    if (icon) icon.textContent = saved ? "\u2665" : "\u2661";
  }

  function render() {
    if (signedIn()) return; // the server renders hearts and the counter for accounts
    var ids = new Set(read().map(function (item) { return item.productId; }));
    document.querySelectorAll('form[data-wishlist-heart][data-mode="local"]').forEach(function (form) {
      setPressed(form, ids.has(Number(form.dataset.productId)));
    });
    var count = document.querySelector("#wishlist-link [data-wishlist-count]");
    if (count) count.textContent = String(ids.size);
  }

  // Capture phase: runs before htmx's own submit handler on the (boosted) form.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.matches('[data-wishlist-heart][data-mode="local"]')) return;
    var productId = Number(form.dataset.productId);
    if (!Number.isInteger(productId) || productId <= 0) return;
    var items = read();
    var index = items.findIndex(function (item) { return item.productId === productId; });
    if (index >= 0) {
      items.splice(index, 1);
    } else if (items.length < MAX_ITEMS) {
      items.push({ productId: productId, priceSnapshot: form.dataset.price || null, addedAt: Date.now() });
    } else {
      return; // full: the form posts, and the server asks the shopper to log in
    }
    try {
      write(items);
    } catch (error) {
      return; // storage blocked or full: same fallback
    }
    event.preventDefault();
    event.stopPropagation();
    render();
  }, true);

  function csrfToken() {
    // Django rotates the token at login, and a boosted login swaps only the body's content: the
    // body's hx-headers still hold the old token. The header link is re-rendered with every swap,
    // so its token is current; the cookie and hx-headers are fallbacks.
    var link = header();
    if (link && link.dataset.csrfToken) return link.dataset.csrfToken;
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["x-csrftoken"] || "";
    } catch (error) {
      return "";
    }
  }

  function afterMerge(report) {
    var saved = new Set(report.added.concat(report.alreadySaved));
    document.querySelectorAll('form[data-wishlist-heart][data-mode="server"]').forEach(function (form) {
      if (!saved.has(Number(form.dataset.productId))) return;
      setPressed(form, true);
      var wanted = form.querySelector('input[name="saved"]');
      if (wanted) wanted.value = "0";
    });
    var count = document.querySelector("#wishlist-link [data-wishlist-count]");
    if (count) count.textContent = String(report.count);
    var list = document.querySelector('#wishlist-items[data-wishlist-mode="account"]');
    if (list && window.htmx) {
      window.htmx.ajax("GET", header().getAttribute("href"), { target: list, swap: "outerHTML" });
    }
  }

  function merge() {
    if (merging || !signedIn()) return;
    var items = read();
    if (!items.length) return;
    merging = true;
    fetch(header().dataset.mergeUrl, {
      method: "POST",
      credentials: "same-origin",
      redirect: "manual", // a redirect (to a login page, say) is not a success
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify({ items: items }),
    })
      .then(function (response) {
        if (!response.ok) throw new Error("wishlist merge failed: HTTP " + response.status);
        return response.json();
      })
      .then(function (report) {
        if (!report || !Array.isArray(report.added) || typeof report.count !== "number") {
          throw new Error("wishlist merge: unexpected answer");
        }
        // Forget exactly what was sent and answered for (merged or skipped as unavailable).
        var sent = new Set(items.map(function (item) { return item.productId; }));
        write(read().filter(function (item) { return !sent.has(item.productId); }));
        afterMerge(report);
      })
      .catch(function (error) {
        console.warn(error, "- the wishlist stays in this browser and is merged later");
      })
      .finally(function () {
        merging = false;
      });
  }

  function loadPreview() {
    var section = document.querySelector("#wishlist-items[data-wishlist-local]");
    if (!section || section.dataset.requested || !window.htmx) return;
    section.dataset.requested = "true";
    var query = read().map(function (item) {
      return "i=" + encodeURIComponent(item.productId + ":" + (item.priceSnapshot || ""));
    }).join("&");
    window.htmx.ajax("GET", section.dataset.previewUrl + (query ? "?" + query : ""), { target: section, swap: "outerHTML" });
  }

  function refresh() {
    render();
    merge();
    loadPreview();
  }

  // A heart the server refused (404 unknown product, 400 bad form) still swaps its answer in,
  // so the shopper sees the message instead of nothing.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var elt = event.detail.elt;
    var status = event.detail.xhr.status;
    if (elt instanceof Element && elt.matches("form[data-wishlist-heart]") && status >= 400 && status < 500) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  document.addEventListener("htmx:afterSettle", refresh);
  document.addEventListener("htmx:historyRestore", refresh);
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) refresh(); // back from the browser's page cache
  });
  window.addEventListener("storage", function (event) {
    if (event.key === KEY) render();
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", refresh);
  } else {
    refresh();
  }
})();
