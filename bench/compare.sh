#!/usr/bin/env bash
# Two builds of gen against each other (say, main before and after a change) on the same
# synthetic timeline, in one run, so the machine's drift hits both alike.
#
# For each size N and each condition it alternates A B A B ... under /usr/bin/time and prints
# the median wall time, CPU time and peak memory of each, and the median of the pair-by-pair
# ratios A/B:
#   fresh    into a folder that does not exist yet (the CI case); removed, untimed, after
#            each run
#   rebuild  into the folder the previous run of the same binary left (the editing case)
# It also checks that both write byte-identical sites (diff -r).
#
#   bench/compare.sh OLD_GEN NEW_GEN                 # N = 10000 100000, 7 runs each
#   SIZES=10000 RUNS=5 OUT=/tmp bench/compare.sh target/release/gen.old target/release/gen
#
# OUT (default /dev/shm, a tmpfs where there is one) holds the outputs: 100,000 events write
# about 1.5 GB per binary. Needs GNU time (Debian: apt-get install time).
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -eq 2 ] || { echo "usage: bench/compare.sh GEN_A GEN_B" >&2; exit 2; }
A=$(realpath "$1"); B=$(realpath "$2")
SIZES=${SIZES:-"10000 100000"}
RUNS=${RUNS:-7}
OUT=${OUT:-$([ -d /dev/shm ] && echo /dev/shm || echo /tmp)}/gen-compare
WORK=${WORK:-bench/work}
command -v /usr/bin/time >/dev/null || { echo "missing /usr/bin/time (Debian: apt-get install time)" >&2; exit 1; }
cargo build --release --quiet --example synth
SYNTH=$PWD/target/release/examples/synth

median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
# timed FILE BIN SITE OUTPUT: one build, "wall cpu peak_kib" appended to FILE.
timed() {
  /usr/bin/time -f "%e %U %S %M" -o "$1.one" "$2" build --root "$3" --output "$4" >/dev/null 2>&1
  awk '{ print $1, $2 + $3, $4 }' "$1.one" >> "$1"
}
col() { awk -v c="$2" '{ print $c }' "$1" | median; }

printf '%-8s %-8s %10s %10s %10s %10s %10s %10s %8s\n' events condition "A wall s" "B wall s" "A cpu s" "B cpu s" "A MiB" "B MiB" "A/B"
for n in $SIZES; do
  site=$WORK/compare-$n
  [ -f "$site/site.toml" ] || "$SYNTH" "$site" "$n" >/dev/null
  rm -rf "$OUT"; mkdir -p "$OUT"
  for condition in fresh rebuild; do
    rm -f "$OUT"/*.times
    # One untimed build each first: warms the page cache, and is the existing output a
    # rebuild writes into.
    "$A" build --root "$site" --output "$OUT/a/public" >/dev/null
    "$B" build --root "$site" --output "$OUT/b/public" >/dev/null
    for _ in $(seq "$RUNS"); do
      for side in a b; do
        bin=$A; [ $side = b ] && bin=$B
        [ $condition = fresh ] && rm -rf "$OUT/$side"
        timed "$OUT/$side.times" "$bin" "$site" "$OUT/$side/public"
      done
    done
    diff -r "$OUT/a/public" "$OUT/b/public" >/dev/null || echo "$n events: the two sites differ" >&2
    ratio=$(paste "$OUT/a.times" "$OUT/b.times" | awk '{ print $1 / $4 }' | median)
    printf '%-8s %-8s %10s %10s %10s %10s %10.0f %10.0f %8.3f\n' "$n" "$condition" \
      "$(col "$OUT/a.times" 1)" "$(col "$OUT/b.times" 1)" "$(col "$OUT/a.times" 2)" "$(col "$OUT/b.times" 2)" \
      "$(col "$OUT/a.times" 3 | awk '{ print $1 / 1024 }')" "$(col "$OUT/b.times" 3 | awk '{ print $1 / 1024 }')" "$ratio"
  done
  rm -rf "$OUT"
done
