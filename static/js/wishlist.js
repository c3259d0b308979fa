/*
 * Hypershop wishlist: anonymous hearts in localStorage, merged into the account after login.
 *
 * Anonymous shoppers: a heart's form (data-mode="local") is intercepted and the item
 * {productId, priceSnapshot, addedAt} is toggled in localStorage; the header counter and the
 * wishlist page (rendered by the server from the stored ids) follow it.
 * Signed-in shoppers: hearts are plain htmx forms; this script does not touch them.
 * After login or sign-up (a boosted swap, or a full page load) the header says
 * data-user-authenticated="true": the stored items are posted with htmx to the merge endpoint and
 * removed from localStorage ONLY after a 2xx JSON report. A failed merge keeps everything and is retried
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
    // body's data-hx-headers still hold the old token. The header link is re-rendered with every
    // swap, so its token is current; the cookie and data-hx-headers are fallbacks.
    var link = header();
    if (link && link.dataset.csrfToken) return link.dataset.csrfToken;
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    try {
      return JSON.parse(document.body.getAttribute("data-hx-headers") || "{}")["x-csrftoken"] || "";
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

  // The merge is an htmx request (htmx.ajax) sent from a hidden element that carries this tiny
  // extension: it sends the items as a JSON body with exactly one, current CSRF header (the
  // body's data-hx-headers and shop.js each add one; XHR would join them into "old, new").
  var MERGE_SOURCE = "wishlist-merge-request";
  function fromMergeSource(elt) {
    return elt instanceof Element && elt.id === MERGE_SOURCE;
  }
  if (window.htmx) {
    window.htmx.defineExtension("wishlist-merge", {
      onEvent: function (name, event) {
        if (name !== "htmx:configRequest" || !fromMergeSource(event.detail.elt)) return true;
        var headers = event.detail.headers;
        Object.keys(headers).forEach(function (key) {
          if (key.toLowerCase() === "x-csrftoken") delete headers[key];
        });
        headers["X-CSRFToken"] = csrfToken();
        headers["Content-Type"] = "application/json";
        headers["Accept"] = "application/json";
        return true;
      },
      encodeParameters: function (xhr, parameters, elt) {
        return fromMergeSource(elt) ? '{"items":' + parameters.get("items") + "}" : null;
      },
    });
  }

  // A 2xx JSON report, or null: anything else (an error page, a followed redirect) is a failure.
  function mergeReport(xhr) {
    var type = xhr.getResponseHeader("Content-Type") || "";
    if (xhr.status < 200 || xhr.status >= 300 || type.indexOf("application/json") !== 0) return null;
    try {
      var report = JSON.parse(xhr.responseText);
      return report && Array.isArray(report.added) && typeof report.count === "number" ? report : null;
    } catch (error) {
      return null;
    }
  }

  function merge() {
    if (merging || !signedIn() || !window.htmx) return;
    var items = read();
    if (!items.length) return;
    merging = true;
    var source = document.createElement("span");
    source.id = MERGE_SOURCE;
    source.hidden = true;
    source.setAttribute("data-hx-ext", "wishlist-merge");
    source.setAttribute("data-hx-indicator", "#" + MERGE_SOURCE); // no page-wide progress bar
    document.body.appendChild(source);
    var outcome = { status: 0, report: null };
    window.htmx
      .ajax("POST", header().dataset.mergeUrl, {
        source: source,
        values: { items: JSON.stringify(items) },
        handler: function (elt, info) {
          outcome = { status: info.xhr.status, report: mergeReport(info.xhr) };
        },
      })
      .then(function () {
        if (!outcome.report) throw new Error("wishlist merge failed: HTTP " + outcome.status);
        // Forget exactly what was sent and answered for (merged or skipped as unavailable).
        var sent = new Set(items.map(function (item) { return item.productId; }));
        write(read().filter(function (item) { return !sent.has(item.productId); }));
        afterMerge(outcome.report);
      })
      .catch(function (error) {
        console.warn(error || "wishlist merge failed: network error", "- the wishlist stays in this browser and is merged later");
      })
      .finally(function () {
        source.remove();
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
