/* news-digest search page: mounts Pagefind's UI (served from this site's own bundle, no
   CDN), gives its search box a visible label, and runs the query given as ?q= so a search
   can be linked to. Without JavaScript the page explains how to browse by topic and date. */
(function () {
  "use strict";
  var el = document.getElementById("search");
  if (!el || typeof PagefindUI === "undefined") return;
  var ui = new PagefindUI({ element: "#search", showSubResults: false, showImages: false });
  var input = el.querySelector("input.pagefind-ui__search-input");
  if (input) {
    input.id = "search-input";
    var label = document.createElement("label");
    label.htmlFor = "search-input";
    label.className = "search-label";
    label.textContent = el.getAttribute("data-label") || "Search";
    el.insertBefore(label, el.firstChild);
  }
  var q = new URLSearchParams(window.location.search).get("q");
  if (q) ui.triggerSearch(q);
})();
