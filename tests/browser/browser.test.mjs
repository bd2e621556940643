// Browser tests for gen's default theme: the repository's own site (and two small fixture
// sites) built by the release binary, served on 127.0.0.1 and driven in Debian's headless
// Chromium with playwright-core. Run by `bash tests/browser/run.sh` (and by .ci/run).
//
// Environment: GEN_BIN (the gen binary; default target/release/gen), CHROMIUM (default
// /usr/bin/chromium), ARTIFACTS (where screenshots go; default target/browser-artifacts).

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "../..");
const genBin = process.env.GEN_BIN || path.join(repo, "target/release/gen");
const artifacts = process.env.ARTIFACTS || path.join(repo, "target/browser-artifacts");
const work = fs.mkdtempSync(path.join(os.tmpdir(), "gen-browser-"));
const BASE = "/timeline/"; // the base path of the repository's site.toml base_url

let server;
let origin;
let browser;

// ---- helpers ---------------------------------------------------------------------------------

function build(root, output) {
  execFileSync(genBin, ["build", "--root", root, "--output", output], { stdio: "pipe" });
}

const TYPES = {
  ".html": "text/html; charset=utf-8", ".css": "text/css", ".js": "text/javascript",
  ".json": "application/json", ".xml": "application/xml", ".svg": "image/svg+xml",
  ".png": "image/png", ".woff": "font/woff", ".woff2": "font/woff2", ".ttf": "font/ttf",
  ".eot": "application/vnd.ms-fontobject",
};

// A static file server over folders mounted at URL prefixes, like a static host: index.html
// for folders, the site's 404.html with status 404 for anything missing.
function serve(mounts) {
  return http.createServer((req, res) => {
    const url = new URL(req.url, "http://x");
    const pathname = decodeURIComponent(url.pathname);
    const mount = Object.keys(mounts).find((p) => pathname.startsWith(p));
    if (!mount || pathname.includes("..")) {
      res.writeHead(404).end("not found");
      return;
    }
    const dir = mounts[mount];
    let file = path.join(dir, pathname.slice(mount.length));
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, "index.html");
    if (!fs.existsSync(file)) {
      const missing = path.join(dir, "404.html");
      res.writeHead(404, { "content-type": TYPES[".html"] });
      res.end(fs.existsSync(missing) ? fs.readFileSync(missing) : "not found");
      return;
    }
    res.writeHead(200, { "content-type": TYPES[path.extname(file)] || "application/octet-stream" });
    res.end(fs.readFileSync(file));
  });
}

// A page that fails the test on console errors, page errors, dialogs (an injected script
// calling alert) and on any request leaving the server's origin.
async function open(options = {}) {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    ...options,
  });
  const page = await context.newPage();
  const problems = [];
  page.on("console", (m) => { if (m.type() === "error") problems.push(`console: ${m.text()}`); });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("dialog", (d) => { problems.push(`dialog: ${d.message()}`); d.dismiss(); });
  await page.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith(origin) || url.startsWith("data:") || url.startsWith("blob:")) {
      route.continue();
    } else {
      problems.push(`request leaving the site: ${url}`);
      route.abort();
    }
  });
  return { page, context, problems };
}

async function visibleEvents(page) {
  return page.$$eval("main article.event", (cards) =>
    cards.filter((c) => c.offsetParent !== null).map((c) => c.id));
}

async function axe(page, label) {
  await page.addScriptTag({ path: path.join(here, "node_modules/axe-core/axe.min.js") });
  const result = await page.evaluate(() =>
    window.axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] },
    }));
  const summary = result.violations.map((v) =>
    `${label}: ${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join("; ")}`);
  assert.deepEqual(summary, [], summary.join("\n"));
  return result.passes.length;
}

// ---- fixture sites ---------------------------------------------------------------------------

function writeSite(root, events) {
  fs.mkdirSync(path.join(root, "content/events"), { recursive: true });
  fs.mkdirSync(path.join(root, "content/sources"), { recursive: true });
  fs.writeFileSync(path.join(root, "site.toml"), [
    'title = "Fixture"',
    'base_url = "https://example.org/timeline/"',
    'timezone = "UTC"',
    "[timeline]",
    'start = "2025-06-13"',
    'end = "2025-06-23"',
    "",
  ].join("\n"));
  fs.writeFileSync(path.join(root, "content/sources/src-a.md"), [
    "---",
    'title: "مقاله منبع"',
    "outlet: Outlet A",
    "url: https://example.com/a",
    "language: fa",
    "---",
    "",
  ].join("\n"));
  events.forEach((e, i) => {
    const day = String(13 + (i % 10)).padStart(2, "0");
    fs.writeFileSync(path.join(root, `content/events/2025-06-${day}-event-${i}.md`), [
      "---",
      `title: ${JSON.stringify(e.title)}`,
      `date: 2025-06-${day}T10:00 Asia/Tehran`,
      `summary: ${JSON.stringify(e.summary)}`,
      `actors: [${JSON.stringify(e.actor || "Someone")}]`,
      `tags: [${JSON.stringify(e.tag || "things")}]`,
      "sources:",
      "  - id: src-a",
      `    quote: ${JSON.stringify(e.quote || "a quoted line")}`,
      "---",
      "",
      e.body || "Body.",
      "",
    ].join("\n"));
  });
}

const PAYLOADS = [
  "<script>alert(1)</script>",
  "<img src=x onerror=alert(1)>",
  "\"><svg onload=alert(1)>",
  "'><iframe srcdoc=\"<script>alert(1)</script>\">",
  "javascript:alert(1)",
  "<a href=\"javascript:alert(1)\">x</a>",
  "{{ site.title }}{% raw %}",
  "</script><script>alert(1)</script>",
  "<details open ontoggle=alert(1)>",
  "<body onload=alert(1)>",
];

// ---- setup -----------------------------------------------------------------------------------

before(async () => {
  assert.ok(fs.existsSync(genBin), `${genBin} is missing: run cargo build --release first`);
  fs.mkdirSync(artifacts, { recursive: true });
  build(repo, path.join(work, "site"));

  writeSite(path.join(work, "rtl"), [
    { title: "حمله به تاسیسات هسته‌ای", summary: "این یک خلاصه به زبان فارسی است.", body: "متن کامل رویداد به فارسی.\n\nSecond paragraph in English." },
    { title: "An event in English", summary: "A summary written left to right." },
  ]);
  build(path.join(work, "rtl"), path.join(work, "rtl-out"));

  writeSite(path.join(work, "xss"), PAYLOADS.map((p, i) => ({
    title: `Payload ${i} ${p}`, summary: p, actor: `Actor ${p}`, tag: `tag ${p}`, quote: p,
    body: `${p}\n\n[link](javascript:alert(1)) <img src=x onerror=alert(2)>\n\n${p}`,
  })));
  build(path.join(work, "xss"), path.join(work, "xss-out"));

  const timelinejs = path.join(here, "node_modules/@knight-lab/timelinejs/dist");
  const viewer = path.join(work, "viewer");
  fs.mkdirSync(viewer);
  fs.writeFileSync(path.join(viewer, "index.html"), `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>TimelineJS</title><link rel="icon" href="data:,">
<link rel="stylesheet" href="/tljs/css/timeline.css">
<script src="/tljs/js/timeline.js"></script></head>
<body><div id="tl" style="width:100%;height:600px"></div>
<script>
window.tlErrors = [];
// Absolute addresses (the viewer resolves them with new URL); font: false keeps its
// default web fonts (fetched from a font CDN) out.
window.tl = new TL.Timeline("tl", location.origin + "${BASE}timeline.json",
  { script_path: location.origin + "/tljs/js/", font: false });
window.tl.on("loaded", function () { window.tlLoaded = true; });
</script></body></html>`);

  server = serve({
    [BASE]: path.join(work, "site"),
    "/rtl/": path.join(work, "rtl-out"),
    "/xss/": path.join(work, "xss-out"),
    "/tljs/": timelinejs,
    "/viewer/": viewer,
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${server.address().port}`;
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
  });
});

after(async () => {
  if (browser) await browser.close();
  if (server) server.close();
  fs.rmSync(work, { recursive: true, force: true });
});

// ---- the tests -------------------------------------------------------------------------------

test("the index loads with no errors and no request leaving the site, within budget", async () => {
  const { page, context, problems } = await open();
  const sizes = {};
  page.on("response", async (r) => {
    const body = await r.body().catch(() => Buffer.alloc(0));
    sizes[new URL(r.url()).pathname] = body.length;
  });
  await page.goto(`${origin}${BASE}`, { waitUntil: "networkidle" });
  const events = await visibleEvents(page);
  assert.equal(events.length, 50, "every event of the repository's site is on the index");
  const weight = Object.values(sizes).reduce((a, b) => a + b, 0);
  const kinds = Object.keys(sizes).sort();
  assert.deepEqual(kinds, [BASE, `${BASE}style.css`, `${BASE}timeline.js`], "the index loads only its HTML, CSS and JS");
  assert.ok(weight < 150 * 1024, `index HTML+CSS+JS is ${weight} bytes`);
  console.log(`# page weight of the index (HTML+CSS+JS): ${weight} bytes`);
  assert.deepEqual(problems, []);
  await context.close();
});

test("without JavaScript the index shows every event with times, sources and badges", async () => {
  const { page, context, problems } = await open({ javaScriptEnabled: false });
  await page.goto(`${origin}${BASE}`);
  assert.equal((await visibleEvents(page)).length, 50);
  assert.equal(await page.locator("form.tools").count(), 0, "no controls without JS");
  const card = page.locator("article.event", { has: page.locator(".local-time") }).first();
  assert.match(await card.locator(".when").innerText(), /\d\d:\d\d UTC \((c\. )?\d\d:\d\d [A-Z+0-9:]+/);
  assert.ok(await page.locator(".badge", { hasText: "Sources differ" }).count() >= 10);
  const cite = page.locator("article.event .cites li").first();
  assert.match(await cite.locator("a").first().getAttribute("href"), /^\.\/sources\/[a-z0-9-]+\/$/);
  assert.match(await cite.locator("a").nth(1).getAttribute("href"), /^https?:\/\//);
  assert.equal(await page.locator(".day-heading").count(), 11, "one heading per day, 13–23 June");
  const sticky = await page.$eval(".day-heading", (h) => getComputedStyle(h).position);
  assert.equal(sticky, "sticky");
  assert.deepEqual(problems, []);
  await context.close();
});

test("filters narrow the events, combine, and live in the address", async () => {
  const { page, context, problems } = await open();
  await page.goto(`${origin}${BASE}`);
  await page.selectOption("select[name=actor]", "united-states");
  let shown = await visibleEvents(page);
  assert.ok(shown.length > 0 && shown.length < 50, `${shown.length} events for the United States`);
  for (const id of shown) {
    assert.equal(await page.locator(`[id="${id}"] .terms a[href$="actors/united-states/"]`).count(), 1);
  }
  assert.match(page.url(), /[?&]actor=united-states/);
  await page.selectOption("select[name=tag]", "diplomacy");
  const both = await visibleEvents(page);
  assert.ok(both.length > 0 && both.length < shown.length, "a tag narrows the actor's events");
  assert.match(page.url(), /tag=diplomacy/);
  assert.match(await page.locator("#tools .status").innerText(), new RegExp(`Showing ${both.length} of 50`));
  // A shared address opens the same view.
  const shared = page.url();
  const other = await open();
  await other.page.goto(shared);
  assert.deepEqual(await visibleEvents(other.page), both);
  assert.equal(await other.page.inputValue("select[name=tag]"), "diplomacy");
  await other.context.close();
  // Days left empty are hidden, and the overview strip counts what is shown.
  const hiddenDays = await page.locator("section.day[hidden]").count();
  assert.ok(hiddenDays > 0);
  const counted = await page.$$eval(".overview .n", (ns) => ns.reduce((a, n) => a + Number(n.textContent), 0));
  assert.equal(counted, both.length);
  // A source filter.
  await page.click("text=Show all");
  assert.equal((await visibleEvents(page)).length, 50);
  const source = await page.$eval("select[name=source] optgroup option", (o) => o.value);
  await page.selectOption("select[name=source]", source);
  shown = await visibleEvents(page);
  assert.ok(shown.length >= 1);
  for (const id of shown) {
    assert.equal(await page.locator(`[id="${id}"] .cites a[href$="sources/${source}/"]`).count(), 1);
  }
  assert.match(page.url(), new RegExp(`source=${source}`));
  assert.deepEqual(problems, []);
  await context.close();
});

test("search finds events by words in their bodies, from search.json", async () => {
  const { page, context, problems } = await open();
  await page.goto(`${origin}${BASE}`);
  const entries = JSON.parse(fs.readFileSync(path.join(work, "site/search.json"), "utf8"));
  const cardText = (await page.$$eval("main article.event", (cs) => cs.map((c) => c.textContent)))
    .join(" ").toLowerCase();
  // A word found in exactly one event's body and nowhere on the index's cards.
  let word;
  let target;
  for (const e of entries) {
    for (const w of e.text.toLowerCase().match(/[a-z]{9,}/g) || []) {
      const hits = entries.filter((x) => x.text.toLowerCase().includes(w));
      if (!cardText.includes(w) && hits.length === 1) { word = w; target = e.slug; break; }
    }
    if (word) break;
  }
  assert.ok(word, "a body-only word to search for");
  await page.fill("input[name=q]", word);
  await page.waitForFunction((slug) => {
    const cards = [...document.querySelectorAll("main article.event")].filter((c) => !c.hidden);
    return cards.length === 1 && cards[0].id === slug;
  }, target);
  assert.match(page.url(), new RegExp(`q=${word}`));
  await page.fill("input[name=q]", "zzzz-no-such-thing");
  await page.waitForFunction(() => document.querySelector("#tools .status").textContent.startsWith("Showing 0 of"));
  assert.deepEqual(problems, []);
  await context.close();
});

test("j and k move focus between events and announce them", async () => {
  const { page, context, problems } = await open();
  await page.goto(`${origin}${BASE}`);
  const ids = await visibleEvents(page);
  await page.keyboard.press("j");
  assert.equal(await page.evaluate(() => document.activeElement.id), ids[0]);
  await page.keyboard.press("j");
  assert.equal(await page.evaluate(() => document.activeElement.id), ids[1]);
  assert.match(await page.locator("#tools .status").innerText(), /^Event 2 of 50: /);
  await page.keyboard.press("ArrowDown");
  assert.equal(await page.evaluate(() => document.activeElement.id), ids[2]);
  await page.keyboard.press("k");
  assert.equal(await page.evaluate(() => document.activeElement.id), ids[1]);
  const top = await page.$eval(`[id="${ids[1]}"]`, (c) => c.getBoundingClientRect().top);
  assert.ok(top >= 0 && top < 900, "the focused event is on screen");
  // Keys typed into the search box are text, not navigation.
  await page.focus("input[name=q]");
  await page.keyboard.type("j");
  assert.equal(await page.inputValue("input[name=q]"), "j");
  assert.deepEqual(problems, []);
  await context.close();
});

test("the zone switch shows site, local and reader times", async () => {
  const { page, context, problems } = await open({ timezoneId: "Asia/Tokyo" });
  await page.goto(`${origin}${BASE}`);
  const card = page.locator("article.event", { has: page.locator(".local-time") }).first();
  const time = card.locator(".when time");
  const siteText = await time.innerText();
  const localText = (await card.locator(".local-time").innerText()).replace(/^\(|\)$/g, "");
  assert.match(siteText, /UTC$/);
  await page.selectOption("select[name=zone]", "local");
  assert.equal(await time.innerText(), localText);
  assert.equal(await card.locator(".local-time").isVisible(), false);
  assert.match(page.url(), /zone=local/);
  await page.selectOption("select[name=zone]", "reader");
  const reader = await time.innerText();
  assert.match(reader, /GMT\+9|JST/, `Tokyo time shown: ${reader}`);
  const iso = await time.getAttribute("datetime");
  const expected = new Intl.DateTimeFormat("en-GB", { timeZone: "Asia/Tokyo", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(new Date(iso));
  assert.ok(reader.includes(expected), `${reader} shows ${expected}`);
  await page.selectOption("select[name=zone]", "site");
  assert.equal(await time.innerText(), siteText);
  assert.deepEqual(problems, []);
  await context.close();
});

test("deep links land on the event, even through a filter that hid it", async () => {
  const { page, context, problems } = await open();
  const ids = JSON.parse(fs.readFileSync(path.join(work, "site/search.json"), "utf8")).map((e) => e.slug);
  const slug = ids[ids.length - 3];
  await page.goto(`${origin}${BASE}#${slug}`);
  await page.waitForFunction((s) => document.activeElement && document.activeElement.id === s, slug);
  const box = await page.$eval(`[id="${slug}"]`, (c) => [c.getBoundingClientRect().top, c.classList.contains("highlight")]);
  assert.ok(box[0] >= 0 && box[0] < 900, `the event is on screen (top ${box[0]})`);
  assert.equal(box[1], true);
  await page.goto(`${origin}${BASE}?q=zzzz-nothing#${ids[0]}`);
  await page.waitForFunction((s) => document.activeElement && document.activeElement.id === s, ids[0]);
  assert.equal(await page.locator(`[id="${ids[0]}"]`).isVisible(), true);
  assert.deepEqual(problems, []);
  await context.close();
});

test("phones to wide screens: no sideways scrolling; screenshots", async () => {
  for (const [width, height] of [[320, 640], [375, 812], [1280, 900]]) {
    const { page, context, problems } = await open({ viewport: { width, height } });
    await page.goto(`${origin}${BASE}`);
    const scroll = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(scroll <= width, `${width}px: page is ${scroll}px wide`);
    await page.goto(`${origin}${BASE}events/${(await visibleEvents(page))[0]}/`);
    const eventScroll = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(eventScroll <= width, `${width}px event page: ${eventScroll}px wide`);
    await page.goto(`${origin}${BASE}`);
    if (width < 600) {
      assert.equal(await page.locator("#tools details").getAttribute("open"), null, "folded on phones");
      await page.click("#tools summary");
      assert.equal(await page.locator("input[name=q]").isVisible(), true);
    }
    if (width !== 320) {
      await page.goto(`${origin}${BASE}`);
      await page.waitForTimeout(100);
      await page.screenshot({ path: path.join(artifacts, `index-${width}.png`) });
    }
    assert.deepEqual(problems, []);
    await context.close();
  }
});

test("the print stylesheet prints every event with source addresses", async () => {
  const { page, context } = await open();
  await page.goto(`${origin}${BASE}?actor=united-states`);
  await page.emulateMedia({ media: "print" });
  const hidden = page.locator("article.event[hidden]").first();
  assert.equal(await hidden.isVisible(), true, "filtered-out events print too");
  assert.equal(await page.locator("#tools details").isVisible(), false);
  const after = await page.$eval(".cites a[href^='http']", (a) => getComputedStyle(a, "::after").content);
  assert.match(after, /https?:\/\//);
  await context.close();
});

test("right-to-left text is laid out right to left inside events", async () => {
  const { page, context, problems } = await open();
  await page.goto(`${origin}/rtl/`);
  const dirs = await page.$$eval("article.event", (cards) => cards.map((c) => ({
    title: c.querySelector("h3").matches(":dir(rtl)"),
    summary: c.querySelector(".summary").matches(":dir(rtl)"),
  })));
  assert.deepEqual(dirs.map((d) => d.title).sort(), [false, true]);
  assert.deepEqual(dirs.map((d) => d.summary).sort(), [false, true]);
  const slug = await page.$eval("article.event h3:dir(rtl)", (h) => h.closest("article").id);
  await page.goto(`${origin}/rtl/events/${slug}/`);
  const paragraphs = await page.$$eval(".body p", (ps) => ps.map((p) => getComputedStyle(p).unicodeBidi));
  assert.ok(paragraphs.every((b) => b === "plaintext"));
  assert.deepEqual(problems, []);
  await context.close();
});

test("content with script payloads runs no script in the browser", async () => {
  const { page, context, problems } = await open();
  await page.goto(`${origin}/xss/`);
  const slugs = await visibleEvents(page);
  assert.equal(slugs.length, PAYLOADS.length);
  for (const slug of slugs) {
    await page.goto(`${origin}/xss/events/${slug}/`);
  }
  await page.goto(`${origin}/xss/sources/src-a/`);
  await page.goto(`${origin}/xss/actors/`);
  // Filter and search over the payload names: the script writes them only as text.
  await page.goto(`${origin}/xss/`);
  await page.fill("input[name=q]", "<img");
  await page.waitForTimeout(300);
  // The sanitizer keeps `<img src=x>` (without its handler), so a broken image may 404.
  const real = problems.filter((p) => !p.startsWith("console: Failed to load resource"));
  assert.deepEqual(real, [], "no dialog, no script error");
  await context.close();
});

test("axe finds no WCAG 2.2 A/AA violations, light and dark", async () => {
  const ids = JSON.parse(fs.readFileSync(path.join(work, "site/search.json"), "utf8"));
  const pages = [
    ["index", BASE],
    ["event", `${BASE}events/${ids[0].slug}/`],
    ["source", `${BASE}sources/${fs.readdirSync(path.join(work, "site/sources")).find((n) => !n.includes("."))}/`],
    ["day", `${BASE}days/2025-06-22/`],
  ];
  let passes = 0;
  for (const scheme of ["light", "dark"]) {
    const { page, context, problems } = await open({ colorScheme: scheme });
    for (const [label, url] of pages) {
      await page.goto(`${origin}${url}`);
      passes += await axe(page, `${label} (${scheme})`);
    }
    assert.deepEqual(problems, []);
    await context.close();
  }
  console.log(`# axe: 0 violations on ${pages.length} pages × 2 colour schemes (${passes} rule passes)`);
});

test("timeline.json loads in TimelineJS3 with one slide per event", async () => {
  const { page, context, problems } = await open();
  await page.goto(`${origin}/viewer/`);
  await page.waitForFunction(() => window.tlLoaded === true, null, { timeout: 30000 });
  const counts = await page.evaluate(() => ({
    events: window.tl.config.events.length,
    title: Boolean(window.tl.config.title),
    slides: document.querySelectorAll(".tl-slide").length,
  }));
  assert.equal(counts.events, 50);
  assert.equal(counts.title, true);
  assert.equal(counts.slides, 51, "50 event slides and the title slide");
  assert.deepEqual(problems, []);
  await context.close();
});
