// Finer bins for a binned time axis (one that counts events per day instead of marking each):
// once a day is wider than 150 px and no more than 31 days are in view, static/axis.js asks
// this for the days in view; each day's counts per 10 minutes are fetched once from the site's
// axis/ folder (`<data-fine>YYYY-MM-DD.json`) and drawn as hourly bars, or 10-minute bars once
// an hour is wider than 120 px, over the day's own bin, which stays the link to the day's page.
// Opened from file://, or when a file cannot be had, the day bins stay as they are.
(function () {
  "use strict";
  var DAY = 86400000;
  var HOUR = 3600000;

  function addDays(date, n) {
    var p = date.split("-").map(Number);
    return new Date(Date.UTC(p[0], p[1] - 1, p[2] + n)).toISOString().slice(0, 10);
  }

  // fig: the axis; track: where bars go; bins: the day bins' <li>; api: timeline.js's filter
  // (for the range), or null. Returns draw(trackPx, viewFrom, viewTo), instants in ms.
  window.genAxisFine = function (fig, track, bins, api) {
    var base = fig.getAttribute("data-fine");
    var start = Date.parse(fig.getAttribute("data-start"));
    var span = Date.parse(fig.getAttribute("data-end")) - start;
    var offline = location.protocol === "file:" || !window.fetch;
    var days = Object.create(null); // date → "loading" | "failed" | {start, step, counts, whole}
    var list = document.createElement("ol");
    list.className = "axis-fine";
    list.setAttribute("aria-hidden", "true");
    track.appendChild(list);
    var drawn = "";
    var last = null;

    // The days each bin covers (a bin is a day, or several on a long window).
    var covers = bins.map(function (li) {
      var a = li.querySelector("a");
      var m = a && /days\/(\d{4}-\d\d-\d\d)\/$/.exec(a.getAttribute("href"));
      var from = Date.parse(li.getAttribute("data-from"));
      var to = Date.parse(li.getAttribute("data-to"));
      var dates = [];
      var empty = parseFloat(li.style.getPropertyValue("--h")) === 0;
      for (var i = 0; m && !empty && i < Math.max(1, Math.round((to - from) / DAY)); i++) {
        dates.push(addDays(m[1], i));
      }
      return { li: li, from: from, to: to, dates: dates };
    });

    function load(date) {
      days[date] = "loading";
      fetch(base + date + ".json")
        .then(function (r) { return r.ok ? r.json() : Promise.reject(new Error(r.status)); })
        .then(function (d) {
          var at = Date.parse(d.start);
          if (isNaN(at) || !Array.isArray(d.counts) || !(d.step > 0)) throw new Error("not a day");
          days[date] = { start: at, step: d.step * 1000, counts: d.counts, whole: d.whole_day || 0 };
          drawn = "";
          if (last) draw(last[0], last[1], last[2]);
        })
        .catch(function () { days[date] = "failed"; });
    }
    function ready(c) {
      return c.dates.length && c.dates.every(function (d) { return typeof days[d] === "object"; });
    }

    // A day's bars: [start, end, count], `size` ms each (a multiple of the file's step).
    function bars(day, size) {
      var per = Math.max(1, Math.round(size / day.step));
      var out = [];
      for (var i = 0; i < day.counts.length; i += per) {
        var n = 0;
        for (var j = i; j < Math.min(i + per, day.counts.length); j++) n += Number(day.counts[j]) || 0;
        out.push([day.start + i * day.step, day.start + Math.min(i + per, day.counts.length) * day.step, n]);
      }
      return out;
    }

    function draw(w, viewFrom, viewTo) {
      last = [w, viewFrom, viewTo];
      var on = !offline && (viewTo - viewFrom) / DAY <= 31 && DAY / span * w > 150;
      var size = HOUR / span * w > 120 ? 600000 : HOUR;
      var near = covers.filter(function (c) {
        return on && c.to > viewFrom && c.from < viewTo;
      });
      near.forEach(function (c) {
        c.dates.forEach(function (d) { if (!(d in days)) load(d); });
      });
      var shown = near.filter(ready);
      var state = api ? api.state : {};
      var key = size + "|" + shown.map(function (c) { return c.from; }).join(",") +
        "|" + state.from + "|" + state.to;
      if (key === drawn) return;
      drawn = key;
      covers.forEach(function (c) { c.li.classList.toggle("refined", shown.indexOf(c) >= 0); });
      var from = state.from ? Date.parse(state.from) : -Infinity;
      var to = state.to ? Date.parse(state.to) : Infinity;
      // Heights against the fullest bar of every day loaded, so days compare as they load.
      var max = 1;
      Object.keys(days).forEach(function (d) {
        if (typeof days[d] !== "object") return;
        bars(days[d], size).forEach(function (b) { max = Math.max(max, b[2]); });
      });
      var html = [];
      function bar(cls, a, b, h) {
        var dim = b <= from || a > to ? " dim" : "";
        html.push('<li class="' + cls + dim + '" style="left:' + ((a - start) / span * 100).toFixed(4) +
          "%;width:" + ((b - a) / span * 100).toFixed(4) + "%;--h:" + (h * 100).toFixed(2) + '%"></li>');
      }
      shown.forEach(function (c) {
        c.dates.forEach(function (d) {
          var day = days[d];
          var own = bars(day, size);
          // Events given only a day, spread evenly over it, drawn hatched beneath.
          if (day.whole && own.length) {
            bar("whole", own[0][0], own[own.length - 1][1], day.whole / own.length / max);
          }
          own.forEach(function (b) { if (b[2]) bar("", b[0], b[1], b[2] / max); });
        });
      });
      list.innerHTML = html.join("");
    }
    return draw;
  };
})();
