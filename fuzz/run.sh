#!/usr/bin/env bash
# Builds the ZMTP codec libFuzzer harnesses and runs each for N seconds.
#
#   fuzz/run.sh [seconds] [harness...]     (default 30 s, all harnesses)
#
# A SwiftPM executable target cannot link libFuzzer, so each harness is
# compiled with swiftc together with Sources/ZMTPCodec/*.swift into one
# module. New inputs go to .build-fuzz/corpus/<name>/ (not committed); the
# committed seeds in fuzz/corpus/<name>/ are read only. A crash leaves its
# input in .build-fuzz/artifacts/ and makes the script exit non-zero.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
seconds=${1:-30}
[ $# -gt 0 ] && shift
if [ $# -gt 0 ]; then
    names=("$@")
else
    names=()
    for f in "$here"/harness/*.swift; do names+=("$(basename "$f" .swift)"); done
fi

# Without this, a Swift trap (fatalError, overflow, bad index) starts the
# Swift runtime's swift-backtrace helper, which outlives the fuzzer holding
# its stdout; a plain trap is enough for libFuzzer to save the input.
export SWIFT_BACKTRACE=${SWIFT_BACKTRACE:-enable=no}

swiftc=${SWIFTC:-swiftc}
work=$root/.build-fuzz
mkdir -p "$work/bin" "$work/artifacts"

status=0
for name in "${names[@]}"; do
    echo "== $name: building"
    # lld keeps gold's "Cannot export local symbol __asan_*" noise away;
    # FUZZ_LD=gold (or any -use-ld value) overrides.
    if ! "$swiftc" -sanitize=fuzzer,address -parse-as-library -O \
        -use-ld="${FUZZ_LD:-lld}" -module-name ZMTPCodecFuzz \
        "$root"/Sources/ZMTPCodec/*.swift "$here/harness/$name.swift" \
        -o "$work/bin/$name" >"$work/$name.build.log" 2>&1; then
        cat "$work/$name.build.log"
        exit 2
    fi
    mkdir -p "$work/corpus/$name"
    echo "== $name: fuzzing for ${seconds}s"
    if ! "$work/bin/$name" -max_total_time="$seconds" -print_final_stats=1 \
        -artifact_prefix="$work/artifacts/$name-" \
        "$work/corpus/$name" "$here/corpus/$name" 2>"$work/$name.log"; then
        echo "!! $name: crashed, see $work/$name.log and $work/artifacts/"
        status=1
    fi
    grep -E '^(stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb|#[0-9]+[[:space:]]+DONE)' "$work/$name.log" || true
done
exit $status
