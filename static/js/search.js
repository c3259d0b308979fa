// The header search box as a WAI-ARIA combobox with a listbox popup (APG "editable combobox with
// list autocomplete"). htmx fetches the suggestions partial as the shopper types
// (templates/partials/search.html); this script only does what htmx cannot: aria-expanded, the
// active option (aria-activedescendant + aria-selected; focus stays in the text box), the keys and
// closing on blur. Without JavaScript the box is a plain search form and no list ever shows.
//
// Keys in the box: ArrowDown/ArrowUp move through the options (wrapping; ArrowDown opens a closed
// list that has options), Home/End jump to the first/last option while one is active (otherwise
// they move the caret), Enter follows the active option's link (without one, the form submits as
// always), Escape closes the list (pressed again, the browser clears the box as usual).
(function () {
  "use strict";

  function isCombobox(element) {
    return element instanceof HTMLInputElement && element.getAttribute("role") === "combobox";
  }

  function listboxOf(input) {
    return document.getElementById(input.getAttribute("aria-controls"));
  }

  function optionsOf(input) {
    const listbox = listboxOf(input);
    return listbox ? Array.from(listbox.querySelectorAll("[role='option']")) : [];
  }

  function activeOption(input) {
    const id = input.getAttribute("aria-activedescendant");
    return id ? document.getElementById(id) : null;
  }

  function activate(input, option) {
    optionsOf(input).forEach(function (each) {
      each.setAttribute("aria-selected", each === option ? "true" : "false");
    });
    if (option) {
      input.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function setExpanded(input, expanded) {
    const listbox = listboxOf(input);
    const open = expanded && optionsOf(input).length > 0;
    if (listbox) listbox.hidden = !open;
    input.setAttribute("aria-expanded", open ? "true" : "false");
    if (!open) activate(input, null);
  }

  function isExpanded(input) {
    return input.getAttribute("aria-expanded") === "true";
  }

  function move(input, step) {
    const options = optionsOf(input);
    if (!options.length) return;
    if (!isExpanded(input)) setExpanded(input, true);
    const index = options.indexOf(activeOption(input));
    const next = index < 0 ? (step > 0 ? 0 : options.length - 1) : (index + step + options.length) % options.length;
    activate(input, options[next]);
  }

  document.addEventListener("keydown", function (event) {
    const input = event.target;
    if (!isCombobox(input) || event.altKey || event.ctrlKey || event.metaKey || event.isComposing) return;
    const options = optionsOf(input);
    const active = activeOption(input);
    switch (event.key) {
      case "ArrowDown":
      case "ArrowUp":
        if (!options.length) return;
        event.preventDefault();
        move(input, event.key === "ArrowDown" ? 1 : -1);
        break;
      case "Home":
      case "End":
        if (!active || !isExpanded(input)) return;
        event.preventDefault();
        activate(input, event.key === "Home" ? options[0] : options[options.length - 1]);
        break;
      case "Enter":
        if (!active || !isExpanded(input)) return; // the form submits the search as always
        event.preventDefault();
        setExpanded(input, false);
        active.click();
        break;
      case "Escape":
        if (!isExpanded(input)) return; // a closed list: let the browser clear the box
        event.preventDefault();
        input.dataset.dismissed = input.value;
        setExpanded(input, false);
        break;
    }
  });

  // Typing again after Escape wants suggestions again.
  document.addEventListener("input", function (event) {
    if (isCombobox(event.target)) delete event.target.dataset.dismissed;
  });

  // A new list arrived: open it if it has options and the shopper is still in the box (and has
  // not dismissed the list for this very text); the active option starts afresh.
  document.addEventListener("htmx:afterSettle", function (event) {
    const input = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (!isCombobox(input)) return;
    const dismissed = input.dataset.dismissed === input.value;
    setExpanded(input, document.activeElement === input && !dismissed);
  });

  // Back in the box with a list already fetched for its text: show it again.
  document.addEventListener("focusin", function (event) {
    if (isCombobox(event.target) && event.target.value && event.target.dataset.dismissed !== event.target.value) {
      setExpanded(event.target, true);
    }
  });

  // Leaving the box (Tab, a click elsewhere) closes the list.
  document.addEventListener("focusout", function (event) {
    if (isCombobox(event.target)) setExpanded(event.target, false);
  });

  // A press on an option must not take focus from the box (which would close the list before the
  // click lands); the click then follows the option's link like any other (boosted by htmx).
  document.addEventListener("mousedown", function (event) {
    if (event.target instanceof Element && event.target.closest(".search-suggestions [role='listbox']")) {
      event.preventDefault();
    }
  });

  document.addEventListener("click", function (event) {
    const option = event.target instanceof Element ? event.target.closest(".search-suggestions [role='option']") : null;
    if (!option) return;
    const input = document.querySelector("[role='combobox'][aria-controls='" + option.closest("[role='listbox']").id + "']");
    if (input) setExpanded(input, false);
  });
})();
