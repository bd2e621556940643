// gen watch: reload the page after a rebuild that changed it; show build errors over it.
(function () {
  "use strict";
  var overlay = null;
  function show(text) {
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.id = "gen-error-overlay";
      overlay.setAttribute("role", "alert");
      overlay.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;margin:0;padding:2rem;" +
        "background:rgba(20,20,24,.94);color:#ffd7d7;font:14px/1.5 ui-monospace,monospace;white-space:pre-wrap";
      document.body.appendChild(overlay);
    }
    overlay.textContent = "gen: the last edit broke the build; the site below is the last good one.\n\n" + text;
  }
  function here(path) {
    var p = location.pathname;
    return p === path || p === path + "index.html" || (path.slice(-1) === "/" && p + "/" === path);
  }
  var source = new EventSource("/__gen/live");
  source.addEventListener("build-error", function (e) {
    if (e.data) show(e.data);
  });
  source.addEventListener("reload", function (e) {
    var d = JSON.parse(e.data);
    if (overlay || d.all || d.paths.some(here)) location.reload();
  });
})();
