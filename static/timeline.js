// gen's progressive enhancement. Every page works fully without this script. With it, a
// list of events can be filtered by actor, tag and source, searched and cut to a stretch of
// time chosen on the axis (static/axis.js; the state is kept in the address, so a filtered view
// can be shared), times can be shown in the site's zone, in
// each event's own zone or in the reader's, j/k move between events, and a link to
// #event-slug scrolls to the event and highlights it. No dependencies; the only request it
// makes is for the site's own search.json.
(function () {
  "use strict";
  var doc = document;
  var cards = [].slice.call(doc.querySelectorAll("main article.event"));
  var home = doc.querySelector(".site-title a");
  var siteZone = doc.body.getAttribute("data-zone") || "UTC";
  var state = { q: "", actor: "", tag: "", source: "", from: "", to: "", zone: "site" };
  var FILTERS = ["q", "actor", "tag", "source", "from", "to"];
  var KEYS = FILTERS.concat(["zone"]);
  var controls = {};
  var status = null;
  var bodies = null; // slug -> folded text of the event, from search.json
  var asked = false;

  function each(list, fn) { [].forEach.call(list, fn); }
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  // "../actors/iran/" → ["actors", "iran"]: the folder and the name a link points at.
  function segments(href) {
    var parts = href.replace(/\/+$/, "").split("/");
    return [parts[parts.length - 2], decodeURIComponent(parts[parts.length - 1])];
  }
  function element(name, props, children) {
    var el = doc.createElement(name);
    Object.keys(props || {}).forEach(function (k) { el[k] = props[k]; });
    (children || []).forEach(function (c) { el.appendChild(c); });
    return el;
  }

  // What each card is about, read from its own links.
  var facts = cards.map(function (card) {
    // Maps without a prototype, so a slug such as "constructor" is only ever data.
    var f = {
      card: card, actor: Object.create(null), tag: Object.create(null),
      source: Object.create(null), text: fold(card.textContent)
    };
    each(card.querySelectorAll(".terms a"), function (a) {
      // ".../actors/iran/" or ".../tags/strikes/": the folder names the kind.
      var at = segments(a.getAttribute("href"));
      var kind = at[0] === "actors" ? "actor" : at[0] === "tags" ? "tag" : "";
      if (kind) f[kind][at[1]] = a.textContent.replace(/^#/, "");
    });
    each(card.querySelectorAll(".cites li"), function (li) {
      var page = li.querySelector("a");
      var cite = li.querySelector("cite");
      if (!page) return;
      f.source[segments(page.getAttribute("href"))[1]] = {
        outlet: page.textContent,
        title: cite ? cite.textContent : ""
      };
    });
    var t = card.querySelector(".when time");
    var span = t ? instants(t.getAttribute("datetime")) : null;
    f.at = span ? span[0] : NaN;
    f.until = span ? span[1] : NaN;
    return f;
  });

  // ---- the range: instants and days ---------------------------------------------------------
  // `from` and `to` are kept as "2025-06-21T18:00Z" (UTC, to the minute); both ends count.
  function minute(text) {
    text = String(text || "").toUpperCase();
    if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/.test(text)) return "";
    var t = Date.parse(text);
    return isNaN(t) ? "" : new Date(t).toISOString().slice(0, 16) + "Z";
  }
  var offsetParts = null;
  // How far the site's zone is ahead of UTC at instant t, in ms.
  function offset(t) {
    try {
      offsetParts = offsetParts || new Intl.DateTimeFormat("en-US", {
        timeZone: siteZone, hourCycle: "h23", year: "numeric", month: "numeric",
        day: "numeric", hour: "numeric", minute: "numeric", second: "numeric"
      });
    } catch (e) {
      return 0;
    }
    var p = {};
    offsetParts.formatToParts(new Date(t)).forEach(function (x) { p[x.type] = Number(x.value); });
    return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(t / 1000) * 1000;
  }
  // The first instant of a day ("2025-06-21") in the site's zone.
  function midnight(date, later) {
    var p = date.split("-").map(Number);
    var guess = Date.UTC(p[0], p[1] - 1, p[2] + (later || 0));
    var t = guess - offset(guess);
    return guess - offset(t);
  }
  // A card's or a day's time as [first, last] instants: a date-only one spans its day.
  function instants(datetime) {
    if (!datetime) return null;
    if (datetime.indexOf("T") > 0) {
      var t = Date.parse(datetime);
      return isNaN(t) ? null : [t, t];
    }
    if (!/^\d{4}-\d\d-\d\d$/.test(datetime)) return null;
    return [midnight(datetime), midnight(datetime, 1) - 1];
  }
  function inRange(first, last) {
    if (state.from && last < Date.parse(state.from)) return false;
    if (state.to && first > Date.parse(state.to)) return false;
    return true;
  }

  // ---- time zones -------------------------------------------------------------------------
  var times = [];
  cards.forEach(function (card) {
    var t = card.querySelector(".when time");
    if (!t || t.getAttribute("datetime").indexOf("T") < 0) return;
    var local = t.parentNode.querySelector(".local-time");
    times.push({
      el: t,
      site: t.textContent,
      local: local,
      localText: local ? local.textContent.replace(/^\(|\)$/g, "") : null
    });
  });

  function dayKey(date, zone) {
    try {
      return new Intl.DateTimeFormat("en-CA", {
        timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit"
      }).format(date);
    } catch (e) {
      return "";
    }
  }
  var readerTime = new Intl.DateTimeFormat("en-GB", {
    hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZoneName: "short"
  });
  var readerDay = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short" });
  var readerZone = readerTime.resolvedOptions().timeZone || "";

  function showZone() {
    times.forEach(function (t) {
      var approx = /^c\. /.test(t.site) ? "c. " : "";
      var text = t.site;
      if (state.zone === "local" && t.localText) {
        text = t.localText;
      } else if (state.zone === "reader") {
        var date = new Date(t.el.getAttribute("datetime"));
        text = approx + readerTime.format(date);
        if (dayKey(date, readerZone) !== dayKey(date, siteZone)) {
          text += " " + readerDay.format(date);
        }
      }
      t.el.textContent = text;
      if (t.local) t.local.hidden = state.zone !== "site";
    });
  }

  // ---- filtering and search ------------------------------------------------------------------
  function matches(f) {
    if ((state.from || state.to) && !inRange(f.at, f.until)) return false;
    if (state.actor && !(state.actor in f.actor)) return false;
    if (state.tag && !(state.tag in f.tag)) return false;
    if (state.source && !(state.source in f.source)) return false;
    var words = fold(state.q).split(/\s+/).filter(Boolean);
    if (!words.length) return true;
    var text = f.text + " " + ((bodies && bodies[f.card.id]) || "");
    return words.every(function (w) { return text.indexOf(w) >= 0; });
  }

  function loadBodies() {
    if (asked || !home || !window.fetch) return;
    asked = true;
    fetch(new URL("search.json", home.href))
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (entries) {
        bodies = Object.create(null);
        entries.forEach(function (e) {
          bodies[e.slug] = fold([e.title, e.summary, e.text].join(" "));
        });
        apply();
      })
      .catch(function () { bodies = Object.create(null); });
  }

  function apply() {
    if (state.q) loadBodies();
    var shown = 0;
    facts.forEach(function (f) {
      var ok = matches(f);
      f.card.hidden = !ok;
      if (ok) shown += 1;
    });
    each(doc.querySelectorAll("main section.day"), function (day) {
      if (day.querySelector("article.event")) {
        day.hidden = !day.querySelector("article.event:not([hidden])");
        return;
      }
      // A day of the compact index, which lists days instead of cards: kept if it meets the range.
      var t = day.querySelector(".day-heading time");
      var span = t && instants(t.getAttribute("datetime"));
      if (span) day.hidden = !inRange(span[0], span[1]);
    });
    showZone();
    if (status) {
      status.textContent = shown === facts.length
        ? "Showing all " + shown + " events."
        : "Showing " + shown + " of " + facts.length + " events.";
    }
    var params = new URLSearchParams(location.search);
    KEYS.forEach(function (k) {
      if (state[k] && !(k === "zone" && state[k] === "site")) params.set(k, state[k]);
      else params.delete(k);
    });
    // Colons stay as they are (from=2025-06-21T18:00Z): they are allowed in a query.
    var query = params.toString().replace(/%3A/gi, ":");
    history.replaceState(history.state, "", location.pathname + (query ? "?" + query : "") + location.hash);
    // The axis (static/axis.js) dims what is hidden and moves its range to match.
    doc.dispatchEvent(new CustomEvent("gen:filter"));
  }

  function clearFilters() {
    FILTERS.forEach(function (k) {
      state[k] = "";
      if (controls[k]) controls[k].value = "";
    });
    apply();
  }

  function options(select, entries) {
    entries.forEach(function (e) {
      select.appendChild(element("option", { value: e[0], textContent: e[1] }));
    });
  }

  function collect(kind) {
    var names = Object.create(null);
    var counts = Object.create(null);
    facts.forEach(function (f) {
      Object.keys(f[kind]).forEach(function (k) {
        names[k] = f[kind][k];
        counts[k] = (counts[k] || 0) + 1;
      });
    });
    return Object.keys(names).map(function (k) { return [k, names[k], counts[k]]; });
  }

  function buildTools() {
    var box = doc.getElementById("tools");
    if (!box) {
      box = element("div", { id: "tools" });
      cards[0].parentNode.insertBefore(box, cards[0]);
    }
    var form = element("form", { className: "tools" });
    form.setAttribute("role", "search");
    form.setAttribute("aria-label", "Filter the events");
    function field(label, input) {
      controls[input.name] = input;
      form.appendChild(element("label", {}, [doc.createTextNode(label), input]));
    }
    field("Search", element("input", { type: "search", name: "q", autocomplete: "off" }));
    [["actor", "Actor", "All actors"], ["tag", "Tag", "All tags"]].forEach(function (k) {
      var select = element("select", { name: k[0] });
      options(select, [["", k[2]]]);
      options(select, collect(k[0]).sort(function (a, b) {
        return a[1].localeCompare(b[1]);
      }).map(function (e) { return [e[0], e[1] + " (" + e[2] + ")"]; }));
      field(k[1], select);
    });
    var source = element("select", { name: "source" });
    options(source, [["", "All sources"]]);
    var byOutlet = Object.create(null);
    facts.forEach(function (f) {
      Object.keys(f.source).forEach(function (id) {
        var s = f.source[id];
        (byOutlet[s.outlet] = byOutlet[s.outlet] || Object.create(null))[id] = s.title;
      });
    });
    Object.keys(byOutlet).sort(function (a, b) { return a.localeCompare(b); }).forEach(function (o) {
      var group = element("optgroup", { label: o });
      options(group, Object.keys(byOutlet[o]).map(function (id) {
        return [id, byOutlet[o][id]];
      }));
      source.appendChild(group);
    });
    field("Source", source);
    var zone = element("select", { name: "zone" });
    options(zone, [
      ["site", "Site time (" + siteZone + ")"],
      ["local", "Each event’s local time"],
      ["reader", "Your time" + (readerZone ? " (" + readerZone + ")" : "")]
    ]);
    field("Times", zone);
    var clear = element("button", { type: "button", textContent: "Show all" });
    clear.addEventListener("click", clearFilters);
    form.appendChild(clear);
    form.appendChild(element("p", {
      className: "keys",
      textContent: "Keys: j and k (or ↓ and ↑ on an event) move to the next and previous event."
    }));
    form.addEventListener("submit", function (e) { e.preventDefault(); });
    var timer = 0;
    form.addEventListener("input", function (e) {
      var name = e.target.name;
      if (!name) return;
      state[name] = e.target.value;
      clearTimeout(timer);
      timer = setTimeout(apply, name === "q" ? 120 : 0);
    });
    // Folded away on narrow screens unless a filter is set; open on wider ones.
    var details = element("details", { className: "tools-box" }, [
      element("summary", { textContent: "Filter, search and time zone" }), form
    ]);
    details.open = window.matchMedia("(min-width: 40rem)").matches ||
      KEYS.some(function (k) { return new URLSearchParams(location.search).get(k); });
    box.appendChild(details);
    // Outside the folded box, so what it announces is heard and seen either way.
    status = element("p", { className: "status" });
    status.setAttribute("role", "status");
    box.appendChild(status);
  }

  // ---- keyboard navigation and deep links ----------------------------------------------------
  function focusCard(card, announce) {
    card.setAttribute("tabindex", "-1");
    card.focus({ preventScroll: true });
    card.scrollIntoView({ block: "start" });
    if (announce && status) {
      var visible = cards.filter(function (c) { return !c.hidden; });
      var heading = card.querySelector("h2, h3");
      status.textContent = "Event " + (visible.indexOf(card) + 1) + " of " + visible.length +
        ": " + (heading ? heading.textContent : "");
    }
  }

  function move(step) {
    var visible = cards.filter(function (c) { return !c.hidden; });
    if (!visible.length) return;
    var current = doc.activeElement && doc.activeElement.closest
      ? doc.activeElement.closest("article.event") : null;
    var i = visible.indexOf(current);
    var target;
    if (i >= 0) {
      target = visible[Math.min(Math.max(i + step, 0), visible.length - 1)];
    } else if (step > 0) {
      target = visible.filter(function (c) { return c.getBoundingClientRect().top >= 1; })[0] ||
        visible[visible.length - 1];
    } else {
      target = visible.filter(function (c) { return c.getBoundingClientRect().top < 0; }).pop() ||
        visible[0];
    }
    focusCard(target, true);
  }

  doc.addEventListener("keydown", function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey || !cards.length) return;
    var t = e.target;
    if (/^(INPUT|SELECT|TEXTAREA|BUTTON)$/.test(t.tagName) || t.isContentEditable) return;
    var onEvent = t.classList && t.classList.contains("event");
    var step = 0;
    if (e.key === "j" || (onEvent && e.key === "ArrowDown")) step = 1;
    else if (e.key === "k" || (onEvent && e.key === "ArrowUp")) step = -1;
    if (!step) return;
    e.preventDefault();
    move(step);
  });

  function follow() {
    var id;
    try { id = decodeURIComponent(location.hash.slice(1)); } catch (e) { return; }
    var el = id && doc.getElementById(id);
    if (!el || !el.classList.contains("event")) return;
    if (el.hidden) clearFilters();
    each(doc.querySelectorAll(".event.highlight"), function (c) { c.classList.remove("highlight"); });
    el.classList.add("highlight");
    focusCard(el, false);
  }

  // ---- start ---------------------------------------------------------------------------------
  // What the axis script uses: the state, and a way to change it ({from, to}) and re-filter.
  window.genFilter = {
    state: state,
    set: function (changes) {
      Object.keys(changes).forEach(function (k) { state[k] = changes[k]; });
      apply();
    }
  };
  if (cards.length > 1) buildTools();
  var params = new URLSearchParams(location.search);
  KEYS.forEach(function (k) {
    var value = params.get(k);
    if (!value) return;
    if (k === "from" || k === "to") {
      state[k] = minute(value);
      return;
    }
    if (!controls[k]) return;
    controls[k].value = value;
    // A value that names nothing on this page (the select keeps "") is dropped.
    state[k] = controls[k].value;
  });
  if (state.from && state.to && state.from > state.to) {
    var later = state.from;
    state.from = state.to;
    state.to = later;
  }
  if (state.zone !== "site" || FILTERS.some(function (k) { return state[k]; })) apply();
  else if (status) status.textContent = "Showing all " + facts.length + " events.";
  window.addEventListener("hashchange", follow);
  follow();
})();
