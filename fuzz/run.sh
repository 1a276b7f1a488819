#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the libFuzzer harnesses and runs each for N seconds.
#
#   fuzz/run.sh [seconds] [harness...]     (default 30 s, all harnesses)
#
# Two kinds of harness (see fuzz/README.md):
#   harness/<name>.swift  the ZMTP codec alone: compiled with swiftc
#                         together with Sources/ZMTPCodec/*.swift, on
#                         Sources/ZGSSBase built as a module of its own.
#   stack/<name>.swift    anything above it: links the library modules that
#                         SwiftPM builds with fuzzer+address instrumentation
#                         into .build-fuzzpm (`@testable import` works: the
#                         modules are built with -enable-testing), plus
#                         stack/support/*.swift.
# A SwiftPM executable target cannot link libFuzzer, hence swiftc for the
# harness itself. A stack harness whose file says "fuzz-needs: realm" runs
# inside a throwaway MIT realm: when KRB5_KDC_PROFILE is not set, this
# script starts itself again under `python3 tools/testrealm.py run --`.
#
# New inputs go to .build-fuzz/corpus/<name>/ (not committed); the
# committed seeds in fuzz/corpus/<name>/ are read only. A crash leaves its
# input in .build-fuzz/artifacts/ and makes the script exit non-zero.
# For each harness the script prints one line "fuzz-result: NAME ok",
# "... crashed" or "... build-failed" (tools/test.sh counts them), and the
# libFuzzer log is .build-fuzz/NAME.log.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
seconds=${1:-30}
[ $# -gt 0 ] && shift
if [ $# -gt 0 ]; then
    names=("$@")
else
    names=()
    for f in "$here"/harness/*.swift "$here"/stack/*.swift; do names+=("$(basename "$f" .swift)"); done
fi

source_of() {
    if [ -f "$here/harness/$1.swift" ]; then echo "$here/harness/$1.swift"
    elif [ -f "$here/stack/$1.swift" ]; then echo "$here/stack/$1.swift"
    fi
}

for name in "${names[@]}"; do
    src=$(source_of "$name")
    [ -n "$src" ] || { echo "no harness named $name (fuzz/harness/, fuzz/stack/)"; exit 2; }
    if grep -q "fuzz-needs: realm" "$src" && [ -z "${KRB5_KDC_PROFILE:-}" ]; then
        exec python3 "$root/tools/testrealm.py" run -- "$0" "$seconds" "${names[@]}"
    fi
done

# Without this, a Swift trap (fatalError, overflow, bad index) starts the
# Swift runtime's swift-backtrace helper, which outlives the fuzzer holding
# its stdout; a plain trap is enough for libFuzzer to save the input.
export SWIFT_BACKTRACE=${SWIFT_BACKTRACE:-enable=no}

swiftc=${SWIFTC:-swiftc}
work=$root/.build-fuzz
mkdir -p "$work/bin" "$work/artifacts"
# lld keeps gold's "Cannot export local symbol __asan_*" noise away;
# FUZZ_LD=gold (or any -use-ld value) overrides.
ld="-use-ld=${FUZZ_LD:-lld}"

# The library modules, instrumented, for the stack harnesses. SwiftPM's own
# --sanitize=fuzzer --sanitize=address passes two -sanitize flags, of which
# swiftc keeps only the last (no coverage): hence one -Xswiftc flag.
pm=$root/.build-fuzzpm
modules=(ZGSSBase KerberosCrypto ZMTPCodec GSSKit ZMTPGSSAPI SASLGSSAPI ZMTPTransport ZGSS)
package_built=no
build_package() {
    [ "$package_built" = yes ] && return 0
    echo "== library modules: swift build (fuzzer+address) into .build-fuzzpm"
    if ! (cd "$root" && swift build -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -enable-testing \
            --scratch-path "$pm" --target ZGSS) >"$work/package.build.log" 2>&1; then
        tail -30 "$work/package.build.log"
        return 1
    fi
    package_built=yes
}

build() {
    local name=$1 src
    src=$(source_of "$name")
    if [ "$src" = "$here/harness/$name.swift" ]; then
        # ZMTPCodec imports ZGSSBase (the big-endian helpers): built first,
        # instrumented, as a module of its own.
        mkdir -p "$work/base"
        "$swiftc" -sanitize=fuzzer,address -parse-as-library -O -module-name ZGSSBase \
            -emit-module -emit-module-path "$work/base/ZGSSBase.swiftmodule" \
            -emit-library -static -o "$work/base/libZGSSBase.a" "$root"/Sources/ZGSSBase/*.swift
        "$swiftc" -sanitize=fuzzer,address -parse-as-library -O "$ld" -module-name ZMTPCodecFuzz \
            -I "$work/base" "$root"/Sources/ZMTPCodec/*.swift "$src" "$work/base/libZGSSBase.a" -o "$work/bin/$name"
    else
        build_package || return 1
        local objects=()
        for m in "${modules[@]}"; do objects+=("$pm"/release/"$m".build/*.o); done
        "$swiftc" -sanitize=fuzzer,address -parse-as-library -O "$ld" -module-name "Fuzz_$name" \
            -I "$pm/release/Modules" -I "$root/Sources/CGSSAPI" -I "$root/Sources/COpenSSL" -I "$root/Sources/CZGSSHeader" \
            "$src" "$here"/stack/support/*.swift "${objects[@]}" \
            -lgssapi_krb5 -lkrb5 -lcrypto -o "$work/bin/$name"
    fi
}

status=0
for name in "${names[@]}"; do
    echo "== $name: building"
    if ! build "$name" >"$work/$name.build.log" 2>&1; then
        grep -v "Cannot export local symbol" "$work/$name.build.log" | tail -30
        echo "fuzz-result: $name build-failed"
        status=2
        continue
    fi
    mkdir -p "$work/corpus/$name" "$here/corpus/$name"
    echo "== $name: fuzzing for ${seconds}s"
    if "$work/bin/$name" -max_total_time="$seconds" -print_final_stats=1 -timeout=20 \
        -artifact_prefix="$work/artifacts/$name-" \
        "$work/corpus/$name" "$here/corpus/$name" 2>"$work/$name.log"; then
        echo "fuzz-result: $name ok"
    else
        echo "!! $name: crashed, see $work/$name.log and $work/artifacts/"
        grep -E "FUZZ FINDING|ERROR: AddressSanitizer|ERROR: LeakSanitizer|Fatal error|SUMMARY" "$work/$name.log" | head -5 || true
        echo "fuzz-result: $name crashed"
        status=1
    fi
    grep -E '^(stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb|#[0-9]+[[:space:]]+DONE)' "$work/$name.log" || true
done
exit $status
