#!/usr/bin/env bash
# Browser tests: build gen and examples/synth, install the test's npm packages (playwright-core,
# axe-core, TimelineJS3; no browser download) and drive Debian's Chromium headless.
# Needs /usr/bin/chromium (apt-get install chromium) and Node.js 18 or later.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here/../.."
cargo build --release --locked
# The synthetic site writer, for the test of a binned axis over 100,000 events.
cargo build --release --locked --example synth
cd "$here"
npm ci --no-audit --no-fund --silent
node --test --test-concurrency=1 --test-reporter=spec browser.test.mjs
