#!/usr/bin/env bash
# gen against Hugo on the same synthetic timeline, built side by side in one run.
#
# For each size N it writes a gen site and an equivalent Hugo site (cargo run --example synth),
# warms both up (so each builds into an existing output folder), then alternates RUNS builds
# of each under /usr/bin/time, and prints median wall time, CPU time, peak memory, pages per
# second, the Hugo/gen ratio, and `cp -r` of gen's finished output as the floor.
#
#   bench/run.sh                      # N = 1000 10000 100000, 5 runs each
#   SIZES="1000 10000" RUNS=7 bench/run.sh
#
# Needs: hugo and GNU time (Debian: apt-get install hugo time).
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=${SIZES:-"1000 10000 100000"}
RUNS=${RUNS:-5}
WORK=${WORK:-bench/work}

for tool in hugo /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "missing $tool (Debian: apt-get install hugo time)" >&2; exit 1; }
done
cargo build --release --quiet --bin gen --example synth
GEN=$PWD/target/release/gen
SYNTH=$PWD/target/release/examples/synth

median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
# Runs a command under GNU time; appends "wall cpu peak_kib" to the file named by $1. Then
# waits (untimed) for the disk to take what the command wrote: at 100,000 events `cp -r` leaves
# gigabytes to write back, which otherwise lands in the time of whichever build runs next.
timed() { local out=$1; shift; /usr/bin/time -f "%e %U %S %M" -o "$out.one" "$@" >/dev/null 2>&1; sync; awk '{ print $1, $2 + $3, $4 }' "$out.one" >> "$out"; }

echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo); $(hugo version | cut -d' ' -f1-2); gen $($GEN --version | cut -d' ' -f2)"
echo
echo "| events | pages (gen / Hugo) | gen wall | Hugo wall | Hugo/gen | gen CPU | Hugo CPU | gen peak | Hugo peak | gen pages/s | cp -r floor | gen/floor |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
for n in $SIZES; do
  dir=$WORK/$n
  if [ ! -f "$dir/gen/site.toml" ]; then
    rm -rf "$dir"
    "$SYNTH" "$dir/gen" "$n" 1 "$dir/hugo" >/dev/null
  fi
  rm -f "$dir"/*.times "$dir"/*.one
  # Warm-up: gen twice (its second build creates the spare copy it updates from then on).
  "$GEN" build --root "$dir/gen" >/dev/null
  "$GEN" build --root "$dir/gen" >/dev/null
  (cd "$dir/hugo" && hugo --quiet >/dev/null)
  sync
  for _ in $(seq "$RUNS"); do
    timed "$dir/gen.times" "$GEN" build --root "$dir/gen"
    timed "$dir/hugo.times" hugo --quiet --source "$dir/hugo"
    rm -rf "$dir/floor"
    timed "$dir/cp.times" cp -r "$dir/gen/public" "$dir/floor"
  done
  rm -rf "$dir/floor"
  gen_pages=$(find "$dir/gen/public" -name '*.html' | wc -l)
  hugo_pages=$(find "$dir/hugo/public" -name '*.html' | wc -l)
  gw=$(cut -d' ' -f1 "$dir/gen.times" | median); hw=$(cut -d' ' -f1 "$dir/hugo.times" | median)
  gc=$(cut -d' ' -f2 "$dir/gen.times" | median); hc=$(cut -d' ' -f2 "$dir/hugo.times" | median)
  gm=$(cut -d' ' -f3 "$dir/gen.times" | median); hm=$(cut -d' ' -f3 "$dir/hugo.times" | median)
  cw=$(cut -d' ' -f1 "$dir/cp.times" | median)
  awk -v n="$n" -v gp="$gen_pages" -v hp="$hugo_pages" -v gw="$gw" -v hw="$hw" -v gc="$gc" -v hc="$hc" -v gm="$gm" -v hm="$hm" -v cw="$cw" 'BEGIN {
    printf "| %d | %d / %d | %.2f s | %.2f s | %.1f× | %.2f s | %.2f s | %.0f MiB | %.0f MiB | %.0f | %.2f s | %.1f× |\n",
      n, gp, hp, gw, hw, (gw > 0 ? hw / gw : 0), gc, hc, gm / 1024, hm / 1024, (gw > 0 ? gp / gw : 0), cw, (cw > 0 ? gw / cw : 0) }'
done
echo
echo "Medians of $RUNS alternating runs after warm-up; both build into an existing output folder;"
echo "each timed command starts after the disk has taken what the one before wrote (sync, untimed)."
