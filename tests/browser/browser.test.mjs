// Browser tests for gen's default theme: the repository's own site (and two small fixture
// sites) built by the release binary, served on 127.0.0.1 and driven in Debian's headless
// Chromium with playwright-core. Run by `bash tests/browser/run.sh` (and by .ci/run).
//
// Environment: GEN_BIN (the gen binary; default target/release/gen), SYNTH_BIN (the synthetic
// site writer, examples/synth.rs; default target/release/examples/synth), CHROMIUM (default
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
const synthBin = process.env.SYNTH_BIN || path.join(repo, "target/release/examples/synth");
const artifacts = process.env.ARTIFACTS || path.join(repo, "target/browser-artifacts");
const work = fs.mkdtempSync(path.join(os.tmpdir(), "gen-browser-"));
const BASE = "/timeline/"; // the base path of the repository's site.toml base_url

let server;
let origin;
let browser;

// ---- helpers ---------------------------------------------------------------------------------

function build(root, output, extra = []) {
  execFileSync(genBin, ["build", "--root", root, "--output", output, ...extra], { stdio: "pipe" });
}

const TYPES = {
  ".html": "text/html; charset=utf-8", ".css": "text/css", ".js": "text/javascript",
  ".json": "application/json", ".xml": "application/xml", ".svg": "image/svg+xml",
  ".png": "image/png", ".jpg": "image/jpeg", ".webp": "image/webp", ".woff": "font/woff", ".woff2": "font/woff2", ".ttf": "font/ttf",
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

// The slugs of the axis's marks that are not dimmed, and of the events shown in the list.
async function markedEvents(page) {
  return (await page.$$eval(".axis-marks li:not(.dim) a", (as) =>
    as.map((a) => a.getAttribute("href").slice(1)))).sort();
}

// Where marks draw their instants, in px from the track's left edge (a point's centre, a
// bar's left end), with their instants and the track's px per ms.
async function markPlaces(page, slugs) {
  return page.evaluate((wanted) => {
    const fig = document.querySelector("figure.axis");
    const track = fig.querySelector(".axis-track").getBoundingClientRect();
    const perMs = track.width / (Date.parse(fig.dataset.end) - Date.parse(fig.dataset.start));
    return wanted.map((slug) => {
      const li = fig.querySelector(`.axis-marks a[href="#${slug}"]`).parentNode;
      const r = li.getBoundingClientRect();
      const point = li.matches(".exact, .approximate");
      return { at: Date.parse(li.dataset.at), x: (point ? (r.left + r.right) / 2 : r.left) - track.left, perMs };
    });
  }, slugs);
}

// Moves the From or To slider of the axis to an instant, as a drag of its handle does.
async function slide(page, name, iso) {
  await page.getByRole("slider", { name, exact: true }).evaluate((input, when) => {
    const fig = input.closest("figure.axis");
    const start = Date.parse(fig.dataset.start);
    const step = (Date.parse(fig.dataset.end) - start) / Number(input.max);
    input.value = String(Math.round((Date.parse(when) - start) / step));
    input.dispatchEvent(new Event("input", { bubbles: true }));
  }, iso);
}

// Whether a card's time (its <time datetime>) meets [from, to]: a date-only card spans its
// day (the repository's site shows UTC).
function meets(datetime, from, to) {
  if (datetime.includes("T")) {
    const t = Date.parse(datetime);
    return t >= from && t <= to;
  }
  const day = Date.parse(`${datetime}T00:00:00Z`);
  return day <= to && day + 86400000 > from;
}

async function cardTimes(page) {
  return page.$$eval("main article.event", (cards) => cards.map((c) => ({
    id: c.id, hidden: c.hidden, at: c.querySelector(".when time").getAttribute("datetime"),
    us: Boolean(c.querySelector('.terms a[href$="actors/united-states/"]')),
  })));
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

  // A site with media: photos made by the synthetic site writer (SYNTH_IMAGES), a remote video
  // on its first event and click-to-load players allowed.
  execFileSync(synthBin, [path.join(work, "media"), "12", "3"], {
    stdio: "pipe", env: { ...process.env, SYNTH_IMAGES: "2" },
  });
  build(path.join(work, "media"), path.join(work, "media-out"));

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
window.tl = new TL.Timeline("tl", location.origin + "/tlsite/timeline.json",
  { script_path: location.origin + "/tljs/js/", font: false });
window.tl.on("loaded", function () { window.tlLoaded = true; });
</script></body></html>`);

  server = serve({
    [BASE]: path.join(work, "site"),
    "/rtl/": path.join(work, "rtl-out"),
    "/xss/": path.join(work, "xss-out"),
    "/tljs/": timelinejs,
    "/viewer/": viewer,
    "/synthetic/": path.join(work, "synth-out"), // built by its own test
    "/media-site/": path.join(work, "media-out"),
    "/tlsite/": path.join(work, "tlsite"),
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${server.address().port}`;
  // The repository's site again for the TimelineJS viewer, with its addresses on this server:
  // timeline.json gives media as absolute addresses under base_url.
  build(repo, path.join(work, "tlsite"), ["--base-url", `${origin}/tlsite/`]);
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
  assert.deepEqual(kinds.filter((k) => !k.startsWith(`${BASE}media/`)),
    [BASE, `${BASE}axis.js`, `${BASE}style.css`, `${BASE}timeline.js`],
    "the index loads only its HTML, CSS and JS (and the thumbnails in view)");
  // 150 KB until the time axis, whose markup (ticks, marks and their tips) adds about 30 KB.
  assert.ok(weight < 200 * 1024, `index HTML+CSS+JS is ${weight} bytes`);
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

test("without JavaScript the time axis shows every event as a link, with day ticks and a key", async () => {
  const { page, context, problems } = await open({ javaScriptEnabled: false });
  await page.goto(`${origin}${BASE}`);
  const axis = page.locator("figure.axis");
  assert.match(await axis.locator("figcaption").innerText(), /^Time axis: 50 events/);
  const titles = await page.$$eval("main article.event", (cards) =>
    cards.map((c) => [c.id, c.querySelector("h3 a").textContent]));
  const marks = axis.getByRole("list", { name: "Events on the time axis" });
  assert.equal(await marks.getByRole("link").count(), 50, "one mark per event");
  for (const [slug, title] of titles) {
    const mark = marks.getByRole("link", { name: title, exact: true });
    assert.equal(await mark.getAttribute("href"), `#${slug}`, `the mark of ${slug}`);
  }
  const labels = await axis.locator(".axis-ticks li").evaluateAll((lis) =>
    lis.filter((li) => li.offsetParent !== null && getComputedStyle(li).color !== "rgba(0, 0, 0, 0)")
      .map((li) => li.textContent));
  assert.deepEqual(labels.filter((l) => / Jun$/.test(l)),
    ["13 Jun", "14 Jun", "15 Jun", "16 Jun", "17 Jun", "18 Jun", "19 Jun", "20 Jun", "21 Jun", "22 Jun", "23 Jun"]);
  const key = await axis.getByRole("list", { name: "Key" }).innerText();
  assert.match(key, /Time known/);
  assert.match(key, /Hours in UTC/);
  assert.equal(await axis.locator(".axis-tools").count(), 0, "no zoom or range controls without JS");
  assert.deepEqual(problems, []);
  await context.close();
});

test("the axis places marks in proportion to their instants, at any zoom", async () => {
  const { page, context, problems } = await open();
  await page.goto(`${origin}${BASE}`);
  const slugs = [
    "2025-06-22-us-strikes-fordow-natanz-isfahan", // first bombs 22:40 UTC on 21 June
    "2025-06-21-trump-address-to-the-nation", // 02:00 UTC on 22 June
    "2025-06-23-trump-announces-ceasefire",
  ];
  const check = async (label) => {
    const [strikes, address, ceasefire] = await markPlaces(page, slugs);
    assert.equal(strikes.at, Date.parse("2025-06-21T22:40:00Z"));
    assert.equal(address.at, Date.parse("2025-06-22T02:00:00Z"));
    assert.ok(strikes.x < address.x, `${label}: the strikes left of the address`);
    for (const [a, b] of [[strikes, address], [address, ceasefire], [strikes, ceasefire]]) {
      const expected = (b.at - a.at) * a.perMs;
      assert.ok(Math.abs(b.x - a.x - expected) <= 1.5,
        `${label}: ${b.x - a.x} px apart, ${expected} px expected`);
    }
  };
  await check("zoom 1");
  await page.locator(".axis-scroll").focus();
  for (let i = 0; i < 4; i++) await page.keyboard.press("+");
  await check("zoomed in");
  assert.deepEqual(problems, []);
  await context.close();
});

test("the axis zooms and pans with keys and by dragging; a drag follows no link", async () => {
  const { page, context, problems } = await open();
  await page.goto(`${origin}${BASE}`);
  const scroll = page.locator(".axis-scroll");
  const trackWidth = () => page.$eval(".axis-track", (t) => t.getBoundingClientRect().width);
  const left = () => scroll.evaluate((s) => s.scrollLeft);
  const labels = () => page.$$eval(".axis-ticks li.s", (lis) => lis.length);
  await scroll.focus();
  const before = await trackWidth();
  const fewLabels = await labels();
  await page.keyboard.press("+");
  assert.ok(await trackWidth() > before * 1.4, "+ widens the track");
  await page.keyboard.press("=");
  await page.keyboard.press("+");
  assert.ok(await labels() > fewLabels, "hour labels appear as the track widens");
  const at = await left();
  await page.keyboard.press("ArrowRight");
  await page.waitForFunction((x) => document.querySelector(".axis-scroll").scrollLeft > x, at);
  await page.keyboard.press("End");
  await page.waitForFunction(() => {
    const s = document.querySelector(".axis-scroll");
    return Math.abs(s.scrollLeft + s.clientWidth - s.scrollWidth) < 2;
  });
  await page.keyboard.press("Home");
  await page.waitForFunction(() => document.querySelector(".axis-scroll").scrollLeft === 0);
  // The marks are one stop: Tab reaches the first (after the eras' links), End on it the
  // last, brought into view.
  const onMark = () => page.evaluate(() => document.activeElement.closest(".axis-marks") !== null);
  for (let i = 0; i < 10 && !(await onMark()); i++) await page.keyboard.press("Tab");
  assert.equal(await onMark(), true);
  assert.equal(await page.evaluate(() => document.activeElement === document.querySelector(".axis-marks a")), true);
  await page.keyboard.press("End");
  await page.waitForFunction(() => {
    const a = document.activeElement;
    const marks = document.querySelectorAll(".axis-marks a");
    const r = a.getBoundingClientRect();
    const frame = document.querySelector(".axis-scroll").getBoundingClientRect();
    return a === marks[marks.length - 1] && r.left >= frame.left && r.right <= frame.right;
  });
  assert.equal(await page.locator(".axis-marks li:focus-within .tip").isVisible(), true, "focus shows the tip");
  // A drag over a mark pans and does not follow it; a click does.
  await page.keyboard.press("Home");
  await page.waitForFunction(() => document.querySelector(".axis-scroll").scrollLeft === 0);
  const mark = page.locator(".axis-marks a").nth(3);
  const box = await mark.boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x - 150, box.y + box.height / 2, { steps: 6 });
  await page.mouse.up();
  assert.ok(await left() > 100, `dragging left pans right (${await left()})`);
  assert.equal(new URL(page.url()).hash, "", "the drag followed no link");
  await page.keyboard.press("Escape");
  await page.locator(".axis-marks a").nth(3).click();
  assert.equal(new URL(page.url()).hash, `#${(await mark.getAttribute("href")).slice(1)}`);
  await page.getByRole("button", { name: "Reset zoom" }).click();
  assert.ok(Math.abs(await trackWidth() - before) < 1, "Reset zoom shows the whole span");
  await page.getByRole("button", { name: "Zoom in" }).click();
  assert.ok(await trackWidth() > before * 1.4);
  await page.getByRole("button", { name: "Zoom out" }).click();
  assert.ok(Math.abs(await trackWidth() - before) < 1);
  // Ctrl+wheel (how Chromium reports a trackpad pinch) and two fingers zoom about the point
  // under them: the instant there moves by at most a few px.
  const frame = await scroll.boundingBox();
  const drift = async (x, zoomIn) => {
    const where = (cx) => page.evaluate((px) => {
      const r = document.querySelector(".axis-track").getBoundingClientRect();
      return { f: (px - r.left) / r.width, w: r.width };
    }, cx);
    const was = await where(x);
    await zoomIn();
    await page.waitForFunction((w) => document.querySelector(".axis-track").getBoundingClientRect().width > w * 1.3, was.w);
    const now = await where(x);
    return Math.abs(now.f - was.f) * now.w;
  };
  const y = frame.y + 40;
  const wheelAt = frame.x + frame.width * 0.7;
  const wheeled = await drift(wheelAt, async () => {
    await page.mouse.move(wheelAt, y);
    await page.keyboard.down("Control");
    await page.mouse.wheel(0, -200);
    await page.keyboard.up("Control");
  });
  assert.ok(wheeled < 3, `ctrl+wheel: the point under the pointer moved ${wheeled} px`);
  const cdp = await context.newCDPSession(page);
  const touch = (type, xs) => cdp.send("Input.dispatchTouchEvent", {
    type, touchPoints: xs.map((x, id) => ({ x, y, id })),
  });
  const mid = frame.x + frame.width * 0.4;
  const pinched = await drift(mid, async () => {
    await touch("touchStart", [mid - 20, mid + 20]);
    for (let i = 1; i <= 5; i++) await touch("touchMove", [mid - 20 - 10 * i, mid + 20 + 10 * i]);
    await touch("touchEnd", []);
  });
  assert.ok(pinched < 12, `pinch: the point between the fingers moved ${pinched} px`);
  assert.deepEqual(problems, []);
  await context.close();
});

test("a range on the axis filters the list, lives in the address and combines with filters", async () => {
  const { page, context, problems } = await open();
  await page.goto(`${origin}${BASE}`);
  const from = Date.parse("2025-06-21T18:00:00Z");
  const to = Date.parse("2025-06-22T06:00:00Z");
  await slide(page, "From", "2025-06-21T18:00:00Z");
  await slide(page, "To", "2025-06-22T06:00:00Z");
  await page.waitForFunction(() => location.search.includes("from=2025-06-21T18:00Z") &&
    location.search.includes("to=2025-06-22T06:00Z"));
  let cards = await cardTimes(page);
  for (const c of cards) assert.equal(c.hidden, !meets(c.at, from, to), `${c.id} (${c.at})`);
  const inRange = cards.filter((c) => !c.hidden).map((c) => c.id);
  assert.ok(inRange.length > 2 && inRange.length < 20, `${inRange.length} events in the range`);
  assert.match(await page.locator("#tools .status").innerText(), new RegExp(`Showing ${inRange.length} of 50`));
  assert.equal(await page.getByRole("slider", { name: "From" }).getAttribute("aria-valuetext"), "21 Jun, 18:00 UTC");
  assert.deepEqual(await markedEvents(page), [...inRange].sort(), "marks outside the range are dimmed");
  // A fresh page on that address shows the same.
  const shared = page.url();
  const other = await open();
  await other.page.goto(shared);
  assert.deepEqual(await visibleEvents(other.page), inRange);
  assert.equal(await other.page.getByRole("slider", { name: "To" }).getAttribute("aria-valuetext"), "22 Jun, 06:00 UTC");
  assert.match(await other.page.locator(".axis-tools").innerText(), /21 Jun, 18:00 UTC[\s\S]*22 Jun, 06:00 UTC/);
  await other.context.close();
  // With an actor.
  await page.selectOption("select[name=actor]", "united-states");
  await page.waitForFunction(() => location.search.includes("actor=united-states"));
  cards = await cardTimes(page);
  for (const c of cards) assert.equal(c.hidden, !(c.us && meets(c.at, from, to)), c.id);
  const both = cards.filter((c) => !c.hidden).map((c) => c.id);
  assert.ok(both.length > 0 && both.length < inRange.length);
  assert.deepEqual(await markedEvents(page), [...both].sort());
  assert.match(page.url(), /from=2025-06-21T18:00Z/);
  // Show all clears the range too.
  await page.click("text=Show all");
  assert.equal((await visibleEvents(page)).length, 50);
  assert.doesNotMatch(page.url(), /from=|to=/);
  assert.equal(await page.getByRole("slider", { name: "From" }).getAttribute("aria-valuetext"), "13 Jun, 00:00 UTC");
  assert.equal((await markedEvents(page)).length, 50);
  // The sliders answer to the keyboard.
  await page.getByRole("slider", { name: "From" }).focus();
  await page.keyboard.press("ArrowRight");
  await page.waitForFunction(() => /from=2025-06-13T00:15Z/.test(location.search));
  await page.getByRole("button", { name: "Clear range" }).click();
  await page.waitForFunction(() => !/from=/.test(location.search));
  // Shift+drag on the track chooses a range.
  const track = await page.locator(".axis-track").boundingBox();
  await page.keyboard.down("Shift");
  await page.mouse.move(track.x + track.width * 0.5, track.y + 4);
  await page.mouse.down();
  await page.mouse.move(track.x + track.width * 0.6, track.y + 4, { steps: 5 });
  await page.mouse.up();
  await page.keyboard.up("Shift");
  await page.waitForFunction(() => /from=.+&to=|to=.+&from=/.test(location.search));
  const chosen = new URL(page.url()).searchParams;
  const span = Date.parse("2025-06-24T00:00:00Z") - Date.parse("2025-06-13T00:00:00Z");
  const start = Date.parse("2025-06-13T00:00:00Z");
  assert.ok(Math.abs(Date.parse(chosen.get("from")) - (start + span * 0.5)) < 3600000, chosen.get("from"));
  assert.ok(Math.abs(Date.parse(chosen.get("to")) - (start + span * 0.6)) < 3600000, chosen.get("to"));
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
  // Days left empty are hidden, and the axis dims the marks of every hidden event.
  const hiddenDays = await page.locator("section.day[hidden]").count();
  assert.ok(hiddenDays > 0);
  assert.deepEqual(await markedEvents(page), [...both].sort());
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
    // The axis scrolls inside its frame; its controls wrap within the page.
    const axis = await page.$eval("figure.axis", (fig) => ({
      inside: fig.querySelector(".axis-scroll").scrollWidth > fig.querySelector(".axis-scroll").clientWidth,
      right: Math.max(...[...fig.querySelectorAll(".axis-tools *")].map((e) => e.getBoundingClientRect().right)),
    }));
    if (width < 640) assert.ok(axis.inside, `${width}px: the axis scrolls inside itself`);
    assert.ok(axis.right <= width, `${width}px: the axis controls reach ${axis.right}px`);
    await page.goto(`${origin}${BASE}days/2025-06-22/`);
    const dayScroll = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(dayScroll <= width, `${width}px day page: ${dayScroll}px wide`);
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
    ["actor", `${BASE}actors/iran/`],
    ["index with a range", `${BASE}?from=2025-06-21T18:00Z&to=2025-06-22T06:00Z&actor=iran`],
  ];
  let passes = 0;
  for (const scheme of ["light", "dark"]) {
    const { page, context, problems } = await open({ colorScheme: scheme });
    for (const [label, url] of pages) {
      await page.goto(`${origin}${url}`);
      assert.equal(await page.locator("figure.axis .axis-tools").count(), label === "event" ? 0 : 1);
      passes += await axe(page, `${label} (${scheme})`);
    }
    assert.deepEqual(problems, []);
    await context.close();
  }
  console.log(`# axe: 0 violations on ${pages.length} pages × 2 colour schemes (${passes} rule passes)`);
});

// Until gen writes the finer bins itself (axis/YYYY-MM-DD.json), the test writes stand-ins of
// the same shape for the days the axis bins, so the script's side can be checked.
function standInFineBins(out) {
  const dir = path.join(out, "axis");
  if (fs.existsSync(dir)) return false;
  fs.mkdirSync(dir);
  const index = fs.readFileSync(path.join(out, "index.html"), "utf8");
  const bins = index.slice(index.indexOf('class="axis-bins"'));
  for (const [, date] of bins.matchAll(/href="\.\/days\/(\d{4}-\d\d-\d\d)\/"/g)) {
    const counts = Array.from({ length: 144 }, (_, i) => (i * 7) % 11 + (i >= 36 && i < 60 ? 20 : 0));
    fs.writeFileSync(path.join(dir, `${date}.json`), JSON.stringify({
      date, start: `${date}T00:00:00Z`, step: 600, counts, whole_day: 30,
    }));
  }
  return true;
}

test("a binned axis of 100,000 events stays light and loads finer bins as it zooms in", { timeout: 600000 }, async () => {
  assert.ok(fs.existsSync(synthBin), `${synthBin} is missing: run cargo build --release --example synth first`);
  const root = path.join(work, "synth");
  const out = path.join(work, "synth-out");
  const began = Date.now();
  execFileSync(synthBin, [root, "100000"], { stdio: "pipe" });
  build(root, out);
  console.log(`# the 100,000-event site, written and built: ${((Date.now() - began) / 1000).toFixed(1)} s`);
  const size = fs.statSync(path.join(out, "index.html")).size;
  assert.ok(size < 200 * 1024, `the compact index is ${size} bytes`);
  if (standInFineBins(out)) console.log("# gen wrote no axis/ day files: the test wrote stand-ins");

  const { page, context, problems } = await open();
  const asked = [];
  page.on("request", (r) => { if (/\/axis\/[^/]+\.json$/.test(r.url())) asked.push(new URL(r.url()).pathname); });
  await page.goto(`${origin}/synthetic/`);
  const bins = page.getByRole("list", { name: "Events per day" }).getByRole("link");
  assert.equal(await bins.count(), 11);
  assert.match(await bins.first().innerText(), /^13 Jun: \d+ events$/);
  assert.equal(await page.locator("main article.event").count(), 0, "the index lists days, not cards");
  assert.deepEqual(asked, [], "nothing is fetched unzoomed");
  await page.locator(".axis-scroll").focus();
  const first = page.waitForRequest(/\/synthetic\/axis\/2025-06-\d\d\.json$/);
  for (let i = 0; i < 3; i++) await page.keyboard.press("+");
  await first;
  await page.waitForSelector(".axis-fine li");
  // Hourly bars over the days in view, each day fetched once.
  const inView = await page.$$eval(".axis-bins li", (lis) => {
    const frame = document.querySelector(".axis-scroll").getBoundingClientRect();
    return lis.filter((li) => {
      const r = li.getBoundingClientRect();
      return r.right > frame.left && r.left < frame.right;
    }).map((li) => li.querySelector("a").getAttribute("href").match(/\d{4}-\d\d-\d\d/)[0]);
  });
  assert.ok(inView.length > 1 && inView.length < 11, `${inView.length} days in view`);
  assert.deepEqual([...asked].sort(), inView.map((d) => `/synthetic/axis/${d}.json`),
    "the days in view, and only they, are fetched");
  await page.waitForFunction((n) => document.querySelectorAll(".axis-bins .refined").length === n, inView.length);
  const hourly = await page.$$eval(".axis-fine li:not(.whole)", (lis) => lis.length);
  assert.ok(hourly > 24 && hourly <= inView.length * 24, `${hourly} hourly bars`);
  // Deeper: 10-minute bars once an hour is wider than 120 px.
  while (await page.getByRole("button", { name: "Zoom in" }).isEnabled()) await page.keyboard.press("+");
  await page.waitForFunction(() => {
    const hour = document.querySelector(".axis-track").getBoundingClientRect().width / 264;
    const bar = document.querySelector(".axis-fine li:not(.whole)");
    return hour > 120 && bar && bar.getBoundingClientRect().width < hour / 4;
  });
  await page.keyboard.press("End");
  await page.waitForRequest(/\/synthetic\/axis\/2025-06-23\.json$/);
  await page.keyboard.press("Home");
  await page.waitForFunction(() => document.querySelector(".axis-scroll").scrollLeft === 0);
  await page.waitForFunction(() => document.querySelector(".axis-bins li").classList.contains("refined"));
  assert.equal(new Set(asked).size, asked.length, `no day fetched twice: ${asked.join(", ")}`);
  // A range keeps the days it meets and dims the bins outside it.
  await page.goto(`${origin}/synthetic/?from=2025-06-15T18:00Z&to=2025-06-17T06:00Z`);
  assert.deepEqual(await page.$$eval("section.day:not([hidden])", (ds) => ds.map((d) => d.id)),
    ["day-2025-06-15", "day-2025-06-16", "day-2025-06-17"]);
  assert.equal(await page.locator(".axis-bins li.dim").count(), 8);
  await axe(page, "binned index with a range");
  assert.deepEqual(problems, []);
  await context.close();

  // Opened from file://, where fetch cannot read the day files, the day bins stay.
  const local = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const filePage = await local.newPage();
  const errors = [];
  filePage.on("pageerror", (e) => errors.push(e.message));
  filePage.on("request", (r) => { if (r.url().includes("/axis/")) errors.push(`fetched ${r.url()}`); });
  await filePage.goto(`file://${out}/index.html`);
  await filePage.locator(".axis-scroll").focus();
  for (let i = 0; i < 4; i++) await filePage.keyboard.press("+");
  await filePage.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  assert.ok(await filePage.$eval(".axis-track", (t) => t.getBoundingClientRect().width) > 3000, "it zooms");
  assert.equal(await filePage.locator(".axis-fine li, .axis-bins .refined").count(), 0);
  assert.deepEqual(errors, []);
  await local.close();
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
  // The slide of the strikes on Fordow, Natanz and Isfahan shows the map from its media.
  await page.evaluate(() => window.tl.goToId("2025-06-22-us-strikes-fordow-natanz-isfahan"));
  await page.waitForFunction(() => [...document.querySelectorAll("img.tl-media-image")]
    .some((img) => /\/tlsite\/media\/us-strike-sites-map-[0-9a-f]+\.svg$/.test(img.src) && img.complete && img.naturalWidth > 0),
    null, { timeout: 30000 });
  assert.deepEqual(problems, []);
  await context.close();
});

test("an event with a photo and a video elsewhere: a sized figure, nothing loaded from another site until a click", async () => {
  const { page, context, problems } = await open();
  await page.goto(`${origin}/media-site/events/event-000000/`, { waitUntil: "networkidle" });
  const figure = await page.$eval("figure.media", (f) => {
    const img = f.querySelector("img");
    return {
      alt: img.alt, width: img.getAttribute("width"), height: img.getAttribute("height"),
      src: img.currentSrc, loaded: img.complete && img.naturalWidth > 0,
      caption: f.querySelector("figcaption").textContent,
    };
  });
  assert.equal(figure.alt, "A generated picture, number 0");
  assert.deepEqual([figure.width, figure.height], ["1600", "1067"]);
  assert.match(figure.src, /\/media-site\/media\/photo-0-[0-9a-f]+-\d+\.webp$/, "the browser takes a WebP width");
  assert.ok(figure.loaded, "the photo loads");
  assert.match(figure.caption, /Picture 0.*Synthetic Agency/);
  assert.equal(await page.locator("iframe").count(), 0, "no player before the click");
  assert.deepEqual(problems, [], "no request left the site");
  await page.click(".media-embed button");
  await page.waitForSelector('iframe[src="https://www.youtube-nocookie.com/embed/synthetic0"]');
  assert.ok(problems.every((p) => p.startsWith("request leaving the site: https://www.youtube-nocookie.com/")),
    `only the player, after the click: ${problems}`);
  await context.close();
});

test("axe finds no violations on pages with media, light and dark", async () => {
  for (const scheme of ["light", "dark"]) {
    const { page, context, problems } = await open({ colorScheme: scheme });
    for (const [label, url] of [["event with media", "/media-site/events/event-000000/"], ["index with thumbnails", "/media-site/"],
      ["event with a map", `${BASE}events/2025-06-22-us-strikes-fordow-natanz-isfahan/`]]) {
      await page.goto(`${origin}${url}`);
      await axe(page, `${label} (${scheme})`);
    }
    assert.deepEqual(problems, []);
    await context.close();
  }
});
