/* Arkiv: small enhancements; every page works without this file. */
(function () {
  "use strict";

  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  /* "/" focuses the search box; j/k move through the results; Enter opens one. */
  var current = -1;
  function moveTo(index) {
    var hits = document.querySelectorAll("[data-hit]");
    if (!hits.length) { return; }
    current = Math.max(0, Math.min(hits.length - 1, index));
    hits.forEach(function (hit, i) { hit.classList.toggle("is-current", i === current); });
    var link = hits[current].querySelector("a");
    if (link) { link.focus({ preventScroll: true }); }
    hits[current].scrollIntoView({ block: "nearest" });
  }
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || typing(event.target)) { return; }
    if (event.key === "/") {
      var box = document.querySelector("[data-search-box]");
      if (box) { event.preventDefault(); box.focus(); box.select(); }
    } else if (event.key === "j") {
      moveTo(current + 1);
    } else if (event.key === "k") {
      moveTo(current - 1);
    }
  });

  /* A long facet list gets a box that filters its values as you type. */
  var LONG_LIST = 10;
  document.querySelectorAll("[data-facet]").forEach(function (facet) {
    var items = facet.querySelectorAll("li");
    if (items.length <= LONG_LIST) { return; }
    var input = document.createElement("input");
    input.type = "search";
    input.className = "facet__filter";
    input.placeholder = facet.getAttribute("data-filter-label") || "";
    input.setAttribute("aria-label", input.placeholder);
    var more = facet.querySelector("details");
    input.addEventListener("input", function () {
      var wanted = input.value.trim().toLocaleLowerCase("sv");
      if (more && wanted !== "") { more.open = true; }
      items.forEach(function (item) {
        item.hidden = wanted !== "" && item.textContent.toLocaleLowerCase("sv").indexOf(wanted) === -1;
      });
    });
    facet.insertBefore(input, facet.querySelector("ul"));
  });

  /* Leave empty fields out of the URL, so a shared search reads ?q=…&city=… only. */
  document.querySelectorAll("form[role=search]").forEach(function (form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll("input[name], select[name]").forEach(function (field) {
        if (field.value === "" && !(field.multiple && field.selectedOptions.length)) { field.disabled = true; }
      });
    });
  });
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[role=search] [disabled]").forEach(function (field) { field.disabled = false; });
  });
})();
