/* guidegen: the language switch keeps the reader's place.
 *
 * Both languages of a page carry the same anchors (scene-8, link-4, condition-…, item-…),
 * so the other language's link gets the anchor of the section being read: the last
 * heading (or table-row anchor) in the top quarter of the window, none at the top of the
 * page. Updated whenever
 * the link is about to be used, so a click, Enter, a middle click or "open in new tab"
 * all take it.
 */
(function () {
  "use strict";
  var SELECTOR = "a.md-select__link[hreflang]";

  function currentAnchor() {
    var hash = decodeURIComponent(location.hash.slice(1));
    var target = hash && document.getElementById(hash);
    if (window.scrollY < 1) {
      // At the top of the page: no anchor, unless the page was opened at one still in view.
      return target && target.getBoundingClientRect().top < window.innerHeight ? hash : "";
    }
    // The section being read: the last anchor in the top quarter of the window below the
    // header (a heading just scrolled to sits a little below the header's edge).
    var header = document.querySelector(".md-header");
    var edge = header ? header.getBoundingClientRect().bottom : 0;
    var line = edge + (window.innerHeight - edge) / 4;
    // Headings, and the anchors the pages put in table rows (rubric items, areas, divisions).
    var anchors = document.querySelectorAll(
      ".md-content h2[id], .md-content h3[id], .md-content h4[id], .md-content h5[id], .md-content h6[id], " +
      ".md-content td > span[id]");
    var found = null;
    for (var i = 0; i < anchors.length; i++) {
      if (anchors[i].getBoundingClientRect().top <= line) found = anchors[i];
      else break;
    }
    return found ? found.id : "";
  }

  function update(link) {
    var base = link.getAttribute("href").split("#")[0];
    var anchor = currentAnchor();
    link.setAttribute("href", anchor ? base + "#" + encodeURIComponent(anchor) : base);
  }

  ["pointerdown", "focusin", "click", "contextmenu"].forEach(function (type) {
    document.addEventListener(type, function (event) {
      var link = event.target && event.target.closest && event.target.closest(SELECTOR);
      if (link) update(link);
    }, true);
  });
})();
