// gen's progressive enhancement: the pages work fully without this script.
// It highlights the event a deep link (#event-slug) points at.
(function () {
  "use strict";
  function highlight() {
    var id = decodeURIComponent(location.hash.slice(1));
    if (!id) return;
    var el = document.getElementById(id);
    if (el && el.classList.contains("event")) {
      el.setAttribute("tabindex", "-1");
      el.focus({ preventScroll: false });
    }
  }
  window.addEventListener("hashchange", highlight);
  highlight();
})();
