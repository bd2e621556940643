#!/usr/bin/env bash
# Runs every fuzz target in turn for the given number of seconds (default 600), on the
# stable toolchain, one at a time. Usage: fuzz/run.sh [seconds] [target...]
# Needs cargo-fuzz (`cargo install cargo-fuzz`). The corpus grows in fuzz/corpus/<target>
# (not committed), starting from the seeds in fuzz/seeds/<target>; crashes are written to
# fuzz/artifacts/<target>/, and each run's output to fuzz/logs/<target>.log. The site target
# runs with its canary checks on (GEN_FUZZ_CANARY=1 unless set otherwise), built without
# comparison tracing in a target folder of its own (see README.md).
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-600}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(frontmatter date markdown pipeline site)
fi
mkdir -p logs
status=0
export GEN_FUZZ_CANARY="${GEN_FUZZ_CANARY:-1}"
for target in "${targets[@]}"; do
    mkdir -p "corpus/$target"
    echo "== $target: ${seconds}s"
    build=()
    if [ "$target" = site ]; then
        build=(--no-trace-compares --target-dir target/site)
    fi
    dict=()
    if [ -f "dicts/$target.dict" ]; then
        dict=(-dict="dicts/$target.dict")
    fi
    if cargo fuzz run --sanitizer none ${build[@]+"${build[@]}"} "$target" "corpus/$target" \
        "seeds/$target" -- -max_total_time="$seconds" ${dict[@]+"${dict[@]}"} -timeout=10 \
        -print_final_stats=1 >"logs/$target.log" 2>&1; then
        :
    else
        status=1
        echo "   FAILED: see fuzz/logs/$target.log and fuzz/artifacts/$target/"
    fi
    grep -E '^#[0-9]+[[:space:]]+DONE|stat::number_of_executed_units|stat::average_exec_per_sec' \
        "logs/$target.log" | sed 's/^/   /' || true
done
# The pipeline and site targets' folders of finished runs (libFuzzer exits without cleaning
# up).
for dir in /dev/shm/gen-fuzz-pipeline.* "${TMPDIR:-/tmp}"/gen-fuzz-pipeline.* \
    /dev/shm/gen-fuzz-site.* "${TMPDIR:-/tmp}"/gen-fuzz-site.*; do
    if [ -d "$dir" ] && [ ! -e "/proc/${dir##*.}" ]; then
        rm -rf "$dir"
    fi
done
exit "$status"
