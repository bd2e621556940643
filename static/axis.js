// gen's time axis, enhanced. The axis is drawn by the server and reads without this script;
// with it the axis zooms (buttons, + and -, ctrl+wheel, pinch) about the point under the
// pointer, pans (drag, arrow keys, Home and End), shows finer tick lines and labels as it
// grows, and a From/To range (two sliders, or shift+drag on the track) cuts the list below to
// a stretch of time through timeline.js's filters, which keep it in the address. Marks of
// events hidden by any filter are dimmed. A binned axis, zoomed in, loads counts per 10
// minutes for the days in view from the site's axis/ folder. No dependencies; no requests but
// those day files.
(function () {
  "use strict";
  var doc = document;
  var LEVEL_HOURS = [24, 6, 3, 1]; // tick classes t0–t3
  var LINE_PX = 8;
  var LABEL_PX = 44;
  var HOUR_PX = 60; // an hour at the deepest zoom of an axis of marks
  var FINE_HOUR_PX = 150; // … and of a binned axis, so its 10-minute bars can be read
  var DAY = 86400000;
  var still = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var motion = still ? "auto" : "smooth";
  var seq = 0;

  function each(list, fn) { [].forEach.call(list, fn); }
  function element(name, props, children) {
    var el = doc.createElement(name);
    Object.keys(props || {}).forEach(function (k) { el[k] = props[k]; });
    (children || []).forEach(function (c) { el.appendChild(c); });
    return el;
  }
  function clamp(x, lo, hi) { return Math.min(Math.max(x, lo), hi); }
  function minute(t) { return new Date(t).toISOString().slice(0, 16) + "Z"; }
  function percent(x) { return Math.round(x * 1e5) / 1e3 + "%"; }

  function setup(fig, withRange) {
    var scroll = fig.querySelector(".axis-scroll");
    var track = fig.querySelector(".axis-track");
    var start = Date.parse(fig.getAttribute("data-start"));
    var end = Date.parse(fig.getAttribute("data-end"));
    if (!scroll || !track || !(end > start)) return;
    var span = end - start;
    var hours = span / 3600000;
    var zone = fig.getAttribute("data-zone") || "UTC";
    var binned = Boolean(fig.querySelector(".axis-bins"));
    var zoom = 1;
    var levels = [[], [], [], []];
    var shown = [];
    each(fig.querySelectorAll(".axis-ticks li"), function (li) {
      var m = /\bt([0-3])\b/.exec(li.className);
      if (m) levels[Number(m[1])].push(li);
    });
    var marks = [].slice.call(fig.querySelectorAll(".axis-marks li"));
    var bins = [].slice.call(fig.querySelectorAll(".axis-bins li"));
    var label = new Intl.DateTimeFormat("en-GB", {
      timeZone: zone, day: "numeric", month: "short", hour: "2-digit", minute: "2-digit",
      hourCycle: "h23"
    });
    function when(t) { return label.format(new Date(t)) + " " + zone; }

    function width() { return track.getBoundingClientRect().width; }
    function maxZoom() {
      return Math.max(1, hours * (binned ? FINE_HOUR_PX : HOUR_PX) / scroll.clientWidth);
    }
    // The instant under a point of the viewport.
    function timeAt(clientX) {
      var r = track.getBoundingClientRect();
      return start + clamp((clientX - r.left) / r.width, 0, 1) * span;
    }

    // ---- zoom ----------------------------------------------------------------------------
    // `anchor`: px from the frame's left edge that keeps showing the same instant.
    function setZoom(z, anchor) {
      z = clamp(z, 1, maxZoom());
      if (anchor == null) anchor = scroll.clientWidth / 2;
      var at = (scroll.scrollLeft + anchor) / width();
      zoom = z;
      track.style.setProperty("--zoom", String(z));
      scroll.scrollLeft = at * width() - anchor;
      redraw();
    }
    // The hour levels the page left out (it keeps ticks that stand apart unzoomed), made
    // once, when the reader first zooms in far enough to see them.
    var missing = [1, 2, 3].filter(function (l) { return !levels[l].length; });
    function makeHours() {
      var list = fig.querySelector(".axis-ticks");
      var clock = new Intl.DateTimeFormat("en-GB", {
        timeZone: zone, hour: "2-digit", minute: "2-digit", hourCycle: "h23"
      });
      var made = doc.createDocumentFragment();
      for (var t = start + 3600000; list && t < end && hours <= 20000; t += 3600000) {
        var text = clock.format(new Date(t));
        var h = parseInt(text, 10);
        var level = h % 6 === 0 ? 1 : h % 3 === 0 ? 2 : 3;
        if (!h || missing.indexOf(level) < 0) continue;
        var li = element("li", { className: "t" + level, textContent: text });
        li.style.left = percent((t - start) / span);
        levels[level].push(li);
        made.appendChild(li);
      }
      if (list) list.appendChild(made);
      missing = [];
    }
    function ticks() {
      var w = width();
      if (missing.length && Math.min(6, hours) / hours * w >= LINE_PX) makeHours();
      LEVEL_HOURS.forEach(function (h, level) {
        var px = Math.min(h, hours) / hours * w;
        var now = (px >= LINE_PX ? "v" : "") + (px >= LABEL_PX ? "s" : "");
        if (shown[level] === now) return;
        shown[level] = now;
        levels[level].forEach(function (li) {
          li.classList.toggle("v", px >= LINE_PX);
          li.classList.toggle("s", px >= LABEL_PX);
        });
      });
    }
    var tools = element("div", { className: "axis-tools" });
    tools.setAttribute("role", "group");
    tools.setAttribute("aria-label", "Zoom and range of the time axis");
    function button(text, name, fn) {
      var b = element("button", { type: "button", textContent: text, className: "axis-zoom" });
      if (name) b.setAttribute("aria-label", name);
      b.addEventListener("click", fn);
      tools.appendChild(b);
      return b;
    }
    var zoomIn = button("+", "Zoom in", function () { setZoom(zoom * 1.5); });
    var zoomOut = button("−", "Zoom out", function () { setZoom(zoom / 1.5); });
    button("Reset zoom", "", function () { setZoom(1); });
    fig.insertBefore(tools, scroll);

    // ---- pan, keys, focus ----------------------------------------------------------------
    scroll.tabIndex = 0;
    scroll.setAttribute("role", "group");
    scroll.setAttribute("aria-label", "Time axis. Keys: + and − zoom, ← and → pan, Home and End go to the ends; on an event, ← and → move to the previous and next event.");
    // One mark in the tab order, the others reached by arrows: the list below is the full
    // account, and the marks (12 px, packed close) stay one stop for keyboard users.
    var order = marks.map(function (li) { return li.querySelector("a"); }).filter(Boolean);
    order.forEach(function (a, i) { a.tabIndex = i ? -1 : 0; });
    function focusMark(i) {
      var a = order[clamp(i, 0, order.length - 1)];
      order.forEach(function (o) { o.tabIndex = o === a ? 0 : -1; });
      a.focus();
    }
    fig.addEventListener("keydown", function (e) {
      if (e.altKey || e.ctrlKey || e.metaKey) return;
      var t = e.target;
      if (/^(INPUT|SELECT|TEXTAREA)$/.test(t.tagName)) return;
      var onMark = order.indexOf(t);
      var k = e.key;
      if (k === "+" || k === "=") setZoom(zoom * 1.5);
      else if (k === "-" || k === "_") setZoom(zoom / 1.5);
      else if ((k === "ArrowLeft" || k === "ArrowRight") && onMark >= 0) {
        focusMark(onMark + (k === "ArrowRight" ? 1 : -1));
      } else if (k === "ArrowLeft" || k === "ArrowRight") {
        var step = scroll.clientWidth / 4 * (k === "ArrowRight" ? 1 : -1);
        scroll.scrollTo({ left: scroll.scrollLeft + step, behavior: motion });
      } else if ((k === "Home" || k === "End") && onMark >= 0) {
        focusMark(k === "Home" ? 0 : order.length - 1);
      } else if (k === "Home" || k === "End") {
        scroll.scrollTo({ left: k === "Home" ? 0 : scroll.scrollWidth, behavior: motion });
      } else return;
      e.preventDefault();
    });
    // A focused mark is brought into the frame (Chromium does; others may not).
    fig.addEventListener("focusin", function (e) {
      if (order.indexOf(e.target) < 0) return;
      order.forEach(function (o) { o.tabIndex = o === e.target ? 0 : -1; });
      var r = e.target.getBoundingClientRect();
      var frame = scroll.getBoundingClientRect();
      if (r.left >= frame.left && r.right <= frame.right) return;
      var left = scroll.scrollLeft + r.left - frame.left - (frame.width - r.width) / 2;
      scroll.scrollTo({ left: left, behavior: motion });
    });

    // Drag to pan, shift+drag to choose a range, two fingers to zoom.
    var pointers = {};
    var drag = null;
    var pinch = null;
    var dragged = false;
    track.addEventListener("dragstart", function (e) { e.preventDefault(); });
    track.addEventListener("pointerdown", function (e) {
      if (e.pointerType === "mouse" && e.button !== 0) return;
      pointers[e.pointerId] = e;
      dragged = false;
      var ids = Object.keys(pointers);
      if (ids.length === 2) {
        drag = null;
        pinch = { d: distance(), zoom: zoom };
        return;
      }
      drag = {
        id: e.pointerId, x: e.clientX, left: scroll.scrollLeft,
        from: e.shiftKey && withRange ? timeAt(e.clientX) : null
      };
    });
    function distance() {
      var p = Object.keys(pointers).map(function (k) { return pointers[k]; });
      return Math.max(Math.hypot(p[0].clientX - p[1].clientX, p[0].clientY - p[1].clientY), 1);
    }
    track.addEventListener("pointermove", function (e) {
      if (!(e.pointerId in pointers)) return;
      pointers[e.pointerId] = e;
      if (pinch && Object.keys(pointers).length === 2) {
        var p = Object.keys(pointers).map(function (k) { return pointers[k].clientX; });
        var mid = (p[0] + p[1]) / 2 - scroll.getBoundingClientRect().left;
        setZoom(pinch.zoom * distance() / pinch.d, mid);
        return;
      }
      if (!drag || drag.id !== e.pointerId) return;
      var dx = e.clientX - drag.x;
      if (!dragged && Math.abs(dx) < 4) return;
      if (!dragged) track.setPointerCapture(e.pointerId);
      dragged = true;
      if (drag.from === null) scroll.scrollLeft = drag.left - dx;
      else choose(drag.from, timeAt(e.clientX), false);
    });
    function lift(e) {
      delete pointers[e.pointerId];
      if (Object.keys(pointers).length < 2) pinch = null;
      if (drag && drag.id === e.pointerId && drag.from !== null && dragged) {
        choose(drag.from, timeAt(e.clientX), true);
      }
      if (drag && drag.id === e.pointerId) drag = null;
    }
    track.addEventListener("pointerup", lift);
    track.addEventListener("pointercancel", lift);
    // A drag ends where it ends: it does not follow the link it was let go over.
    track.addEventListener("click", function (e) {
      if (!dragged) return;
      dragged = false;
      e.preventDefault();
      e.stopPropagation();
    }, true);
    scroll.addEventListener("wheel", function (e) {
      // Ctrl+wheel is also how Chromium reports a trackpad pinch.
      if (!e.ctrlKey) return;
      e.preventDefault();
      var dy = e.deltaY * (e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? 400 : 1);
      setZoom(zoom * Math.exp(-dy / 300), e.clientX - scroll.getBoundingClientRect().left);
    }, { passive: false });

    // ---- the range -----------------------------------------------------------------------
    var api = withRange ? window.genFilter : null;
    var band = element("div", { className: "axis-range", hidden: true });
    track.insertBefore(band, track.firstChild);
    // Slider steps: whole minutes, about 1,500 of them over the window.
    var unit = [1, 5, 10, 15, 30, 60, 180, 360, 1440].filter(function (m) {
      return span / 60000 / m <= 1500;
    })[0] || 1440;
    var steps = Math.ceil(span / 60000 / unit);
    var sliders = [];
    function slider(name) {
      var id = "axis-" + name.toLowerCase() + "-" + seq;
      var input = element("input", { type: "range", id: id, min: "0", max: String(steps), step: "1" });
      var out = element("output", { htmlFor: id });
      var box = element("span", { className: "axis-handle" }, [
        element("label", { htmlFor: id, textContent: name }), input, out
      ]);
      tools.appendChild(box);
      input.addEventListener("input", function () {
        var a = Number(sliders[0].input.value);
        var b = Number(sliders[1].input.value);
        if (a > b) {
          if (input === sliders[0].input) sliders[1].input.value = String(a);
          else sliders[0].input.value = String(b);
        }
        var from = start + Number(sliders[0].input.value) * unit * 60000;
        var to = Math.min(start + Number(sliders[1].input.value) * unit * 60000, end);
        choose(from, to, true);
      });
      return { input: input, out: out };
    }
    if (api) {
      sliders = [slider("From"), slider("To")];
      var clear = button("Clear range", "", function () { api.set({ from: "", to: "" }); });
      clear.className = "axis-clear";
    }
    var timer = 0;
    // A range from a and b (ms, either order); at the window's ends an end is left open.
    function choose(a, b, now) {
      var from = Math.min(a, b);
      var to = Math.max(a, b);
      var changes = {
        from: from <= start ? "" : minute(from),
        to: to >= end ? "" : minute(to)
      };
      showRange(changes.from, changes.to);
      clearTimeout(timer);
      timer = setTimeout(function () { api.set(changes); }, now ? 60 : 200);
    }
    function showRange(fromText, toText) {
      var from = fromText ? Date.parse(fromText) : start;
      var to = toText ? Date.parse(toText) : end;
      band.hidden = !fromText && !toText;
      band.style.left = percent((from - start) / span);
      band.style.width = percent((to - from) / span);
      [from, to].forEach(function (t, i) {
        var s = sliders[i];
        if (!s) return;
        var text = when(clamp(t, start, end));
        if (doc.activeElement !== s.input) {
          s.input.value = String(Math.round((clamp(t, start, end) - start) / 60000 / unit));
        }
        s.input.setAttribute("aria-valuetext", text);
        s.out.textContent = text;
      });
    }
    // After every filtering: dim what is hidden, show the range.
    function filtered() {
      var from = api && api.state.from ? Date.parse(api.state.from) : -Infinity;
      var to = api && api.state.to ? Date.parse(api.state.to) : Infinity;
      marks.forEach(function (li) {
        var a = li.querySelector("a");
        var card = a && doc.getElementById(decodeURIComponent(a.getAttribute("href").slice(1)));
        li.classList.toggle("dim", Boolean(card && card.hidden));
      });
      bins.forEach(function (li) {
        var out = Date.parse(li.getAttribute("data-to")) <= from ||
          Date.parse(li.getAttribute("data-from")) > to;
        li.classList.toggle("dim", out);
      });
      if (api) showRange(api.state.from, api.state.to);
      redraw();
    }
    if (api) doc.addEventListener("gen:filter", filtered);

    // ---- redrawing -----------------------------------------------------------------------
    var fine = window.genAxisFine && binned && fig.getAttribute("data-fine")
      ? window.genAxisFine(fig, track, bins, api) : null;
    var frame = 0;
    function redraw() {
      if (frame) return;
      frame = requestAnimationFrame(function () {
        frame = 0;
        ticks();
        zoomIn.disabled = zoom >= maxZoom() - 1e-6;
        zoomOut.disabled = zoom <= 1;
        if (fine) {
          var w = width();
          fine(w, start + scroll.scrollLeft / w * span,
            start + (scroll.scrollLeft + scroll.clientWidth) / w * span);
        }
      });
    }
    scroll.addEventListener("scroll", redraw);
    window.addEventListener("resize", function () { setZoom(zoom); });
    filtered();
  }

  each(doc.querySelectorAll("figure.axis"), function (fig, i) {
    seq = i;
    // One range per page: the first axis's, over the page's list.
    setup(fig, i === 0 && Boolean(window.genFilter));
  });
})();
