#!/usr/bin/env bash
# What images cost a build: the synthetic timeline with N events, each carrying a photo of its
# own (a 2400×1600 JPEG, about 1 MB), against the same timeline without photos, in one run.
#
# For each N it prints medians over RUNS runs of:
#   plain     the timeline without photos, fresh output (the baseline)
#   cold      with photos, fresh output and no media cache: every image decoded and resized
#   cached    with photos, fresh output, the cache kept from an earlier build
#   rebuild   with photos, into the folder the previous build left, whose spare copy holds the
#             build before it, cache kept (the editing case: the third build in a row)
# each as the whole build's wall time and the media's own time as gen reports it ("N images
# (… processed, … from the cache) in M ms"), plus the bytes and files gen wrote under media/
# and the bytes of the photos themselves.
#
#   bench/media.sh                       # N = 100 1000, 3 runs each
#   SIZES=200 RUNS=5 bench/media.sh
#
# OUT (default /dev/shm, a tmpfs where there is one) holds the outputs. Needs GNU time.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=${SIZES:-"100 1000"}
RUNS=${RUNS:-3}
OUT=${OUT:-$([ -d /dev/shm ] && echo /dev/shm || echo /tmp)}/gen-media
WORK=${WORK:-bench/work}
command -v /usr/bin/time >/dev/null || { echo "missing /usr/bin/time (Debian: apt-get install time)" >&2; exit 1; }
cargo build --release --quiet --example synth
cargo build --release --quiet
SYNTH=$PWD/target/release/examples/synth
GEN=$PWD/target/release/gen

median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
# build SITE OUTPUT FILE: one build; "wall_s media_ms" appended to FILE.
build() {
  /usr/bin/time -f "%e" -o "$3.time" "$GEN" build --root "$1" --output "$2" > "$3.out" 2>&1
  local media
  media=$(sed -n 's/^[0-9]* images (.*) in \([0-9]*\) ms$/\1/p' "$3.out")
  echo "$(cat "$3.time") ${media:-0}" >> "$3"
}
col() { awk -v c="$2" '{ print $c }' "$1" | median; }

printf '%-7s %-8s %9s %9s %7s %12s %7s %12s\n' images condition "wall s" "media ms" "ratio" "media bytes" files "photo bytes"
for n in $SIZES; do
  with=$WORK/media-$n plain=$WORK/media-$n-plain
  [ -d "$with" ] || SYNTH_IMAGES=$n "$SYNTH" "$with" "$n" 1 >/dev/null
  [ -d "$plain" ] || "$SYNTH" "$plain" "$n" 1 >/dev/null
  photos=$(du -sb "$with/content/media" | cut -f1)
  dir=$OUT/$n
  rm -rf "$dir"; mkdir -p "$dir"
  for _ in $(seq "$RUNS"); do
    rm -rf "$dir/plain" "$dir/.plain.cache"; build "$plain" "$dir/plain" "$dir/plain.log"
    rm -rf "$dir/site" "$dir/.site.spare" "$dir/.site.cache"; build "$with" "$dir/site" "$dir/cold.log"
    rm -rf "$dir/site" "$dir/.site.spare"; build "$with" "$dir/site" "$dir/cached.log"
    build "$with" "$dir/site" "$dir/second.log"; build "$with" "$dir/site" "$dir/rebuild.log"
  done
  base=$(col "$dir/plain.log" 1)
  bytes=$(du -sb "$dir/site/media" | cut -f1)
  files=$(find "$dir/site/media" -type f | wc -l)
  for c in plain cold cached rebuild; do
    wall=$(col "$dir/$c.log" 1)
    printf '%-7s %-8s %9s %9s %7.2f %12s %7s %12s\n' "$n" "$c" "$wall" "$(col "$dir/$c.log" 2)" \
      "$(echo "$wall / $base" | bc -l)" "$bytes" "$files" "$photos"
  done
done
