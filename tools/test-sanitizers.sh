#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Sanitizer stage (tools/test.sh runs it as "sanitizers"):
#   AddressSanitizer + LeakSanitizer: the Swift tests, the C-ABI tests
#     (tests/c/mech_abi_test.c, tests/c/sasl_abi.c) and the transport's
#     interop matrix against stock libzmq (python3-zmq), over a libzgss.so
#     built with ASan;
#   ThreadSanitizer: the Swift tests, then python/tests and the interop
#     matrix over a libzgss.so built with TSan: the I/O threads, the pooled
#     configurations and the C callers' threads all meet there.
# Debug builds in .build-asan and .build-tsan (incremental). Any sanitizer
# report fails the stage and is printed. The last line is
# "sanitizers: N passed, M failed", counted from the xUnit/JUnit files and
# the test programs' own count lines.
#   tools/test-sanitizers.sh [asan|tsan]     (default: both)
#
# Left out, and why (each still runs in its normal stage):
#   - ASan, StaleCredentialTests runs separately with leak detection off:
#     it drives MIT krb5 1.20's krb5_gss_validate_cred_1, which leaks the
#     ccache principal on KG_CCACHE_NOMATCH (see tools/sanitizers/lsan.supp).
#     So does GSSNameTests.kerberosRefusalsCarryTheKerberosReason: a failed
#     gss_acquire_cred_from of an acceptor credential for a principal the
#     keytab lacks leaks, inside MIT, the principal it copied (stack:
#     krb5_copy_principal <- libgssapi_krb5 <- gss_add_cred_from <-
#     gss_acquire_cred_from; no credential handle comes back to free).
#     MIT's frames lack frame pointers, so no suppression could name the
#     path without hiding leaks of ours.
#   - TSan, LargeTokenTests: single-threaded, and a 2 GiB buffer under TSan's
#     shadow memory costs several GiB for nothing to find.
#   - Both, matrix cells "c:" (they build C programs against the release
#     library in .dist and run them as child processes: nothing sanitized)
#     and "a stuck ROUTER peer" (a 2-second bound on encrypting 40 MiB, which
#     an unoptimised sanitized build cannot meet; the bound is not the point),
#     and the cells that bound the server's VmRSS ("RSS stays bounded",
#     "(VmRSS)"): ASan's quarantine holds freed memory on purpose, so RSS
#     says nothing about zgss under it.
#   - ASan, asan-swift: leaks of memory allocated inside MIT's
#     libgssapi_krb5 (tools/sanitizers/lsan-swift.supp says why); the C-ABI
#     steps under ASan and the valgrind stages still judge those.
#   - ASan leak checking of the python runs: CPython does not free
#     everything at exit. Memory errors are still checked there.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
which="${1:-both}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
passed=0
failed=0
stage_start=$SECONDS

finish() {
  [ $((passed + failed)) -eq 0 ] && fail "nothing ran"
  echo "sanitizers: wall time $(( (SECONDS - stage_start) / 60 ))m$(( (SECONDS - stage_start) % 60 ))s"
  echo "sanitizers: $passed passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit $?
}
fail() { echo "FAIL $*"; failed=$((failed + 1)); }
step() { echo "--- $* ($(( SECONDS - stage_start ))s)"; }
case "$which" in both|asan|tsan) ;; *) fail "usage: $0 [asan|tsan]"; finish ;; esac

# The sanitizer runtimes and the C compiler that match the Swift toolchain.
toolchain="$(dirname "$(readlink -f "$(command -v swift)")")/.."
rt="$(ls -d "$toolchain"/lib/clang/*/lib/linux 2>/dev/null | head -1)"
swiftlib="$toolchain/lib/swift/linux"
clang="$toolchain/bin/clang"
for needed in "$rt/libclang_rt.asan-x86_64.so" "$rt/libclang_rt.tsan-x86_64.so" \
              "$swiftlib/libswiftCore.so" "$swiftlib/libdispatch.so" "$clang"; do
  [ -e "$needed" ] || { fail "missing $needed (the Swift toolchain's sanitizer runtime)"; finish; }
done
# --disable-xctest below: there are no XCTest cases, and none may hide there.
if grep -rlq "import XCTest" Tests; then
  fail "Tests/ has XCTest cases, which this stage does not run: add them here"; finish
fi

# Adds the last "N passed, M failed" of a file to the counts; none at all,
# or a non-zero exit with nothing failed, counts as one failure.
count_line() {
  local name="$1" file="$2" rc="$3" line p f
  line="$(grep -oE '[0-9]+ passed, [0-9]+ failed' "$file" | tail -1)"
  if [ -z "$line" ]; then fail "$name: no result line (exit $rc)"; tail -20 "$file"; return; fi
  p="${line%% passed*}"; f="${line#*passed, }"; f="${f%% failed*}"
  [ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1
  [ $((p + f)) -eq 0 ] && f=1
  echo "$name: $p passed, $f failed"
  passed=$((passed + p)); failed=$((failed + f))
}

# Sanitizer reports go to files under $work/reports (pytest would swallow
# them from stderr); any file there is a failure, shown here.
reports() {
  local name="$1" file shown=0
  for file in "$work"/reports/*; do
    [ -e "$file" ] || continue
    if [ "$shown" -eq 0 ]; then fail "$name: sanitizer reports"; shown=1; fi
    echo "=== $file"; head -120 "$file"
    [ "$(wc -l <"$file")" -gt 120 ] && { echo "..."; grep -h '^SUMMARY' "$file"; }
    rm -f "$file"
  done
}

build() {
  local kind="$1" scratch="$2"
  step "build ($kind)"
  if ! swift build --build-tests --sanitize="$kind" --scratch-path "$scratch" >"$work/build.out" 2>&1 ||
     ! swift build --sanitize="$kind" --scratch-path "$scratch" --product zgss >>"$work/build.out" 2>&1; then
    grep -v "Cannot export local symbol" "$work/build.out" | tail -30
    fail "swift build --sanitize=$kind"
    return 1
  fi
}

# swift test under a sanitizer: NAME KIND SCRATCH [swift test arguments].
swift_tests() {
  local name="$1" kind="$2" scratch="$3"; shift 3
  step "$name"
  rm -f "$work/$name"*.xml
  python3 tools/testrealm.py run -- swift test --skip-build --disable-xctest --scratch-path "$scratch" \
    --sanitize="$kind" --xunit-output "$work/$name.xml" "$@" >"$work/$name.out" 2>&1
  local rc=$? files=("$work/$name"*.xml)
  grep -E '^(✘|􀢄)' "$work/$name.out" | head -20
  python3 tools/junit_count.py "$name" "${files[@]}" >"$work/$name.count" 2>&1
  grep -v ": [0-9]* passed, [0-9]* failed$" "$work/$name.count"
  if [ "$rc" -ne 0 ]; then tail -5 "$work/$name.out"; fi
  count_line "$name" "$work/$name.count" "$rc"
  reports "$name"
}

# The interop matrix and python/tests: NAME LIB PRELOAD.
python_tests() {
  local name="$1" lib="$2" preload="$3" rc
  step "$name pytest"
  ZGSS_LIB="$lib" timeout 900 python3 tools/testrealm.py run -- env LD_PRELOAD="$preload" \
    /usr/bin/python3 -m pytest -q -p no:cacheprovider --junitxml="$work/$name-pytest.xml" python/tests \
    >"$work/$name-pytest.out" 2>&1
  rc=$?
  [ "$rc" -ne 0 ] && tail -30 "$work/$name-pytest.out"
  python3 tools/junit_count.py "$name-pytest" "$work/$name-pytest.xml" >"$work/$name-pytest.count" 2>&1
  count_line "$name-pytest" "$work/$name-pytest.count" "$rc"
  reports "$name-pytest"
  python_matrix "$name" "$lib" "$preload"
}

python_matrix() {
  local name="$1" lib="$2" preload="$3" rc
  step "$name matrix"
  ZGSS_LIB="$lib" timeout 900 python3 tools/testrealm.py run -- env LD_PRELOAD="$preload" \
    /usr/bin/python3 tools/interop/matrix.py --skip="c: " --skip="a stuck ROUTER peer" --skip="(VmRSS)" \
      --skip="RSS stays bounded" \
    >"$work/$name-matrix.out" 2>&1
  rc=$?
  grep '^FAIL' "$work/$name-matrix.out"
  count_line "$name-matrix" "$work/$name-matrix.out" "$rc"
  reports "$name-matrix"
}

# A C-ABI test program built against the sanitized library:
# NAME SOURCE LIBDIR [compiler flags].
c_test() {
  local name="$1" source="$2" libdir="$3" rc
  shift 3
  step "$name"
  if ! "$clang" -std=c99 -g -Wall -Wextra -Werror "$@" -fsanitize=address -fno-omit-frame-pointer \
       -Iinclude -o "$work/$name" "$source" -L"$libdir" -lzgss -Wl,-rpath,"$libdir" >"$work/$name.build" 2>&1; then
    grep -v "Cannot export local symbol" "$work/$name.build" | tail -20
    fail "$name: does not build"
    return
  fi
  python3 tools/testrealm.py run -- "$work/$name" >"$work/$name.out" 2>&1
  rc=$?
  grep -E '^(FAIL|not ok)' "$work/$name.out"
  count_line "$name" "$work/$name.out" "$rc"
  reports "$name"
}

mkdir -p "$work/reports"
lsan_supp="$root/tools/sanitizers/lsan.supp"

if [ "$which" = both ] || [ "$which" = asan ]; then
  if build address .build-asan; then
    export LSAN_OPTIONS="suppressions=$lsan_supp:print_suppressions=0"
    asan="halt_on_error=1:detect_leaks=1:log_path=$work/reports/asan"
    # MIT 1.20 leaks inside two failure paths (see the top of this file):
    # those tests run with leak checking off, every other one with it on.
    mit_leaks="StaleCredentialTests|kerberosRefusalsCarryTheKerberosReason"
    # asan-swift also reads lsan-swift.supp: leaks allocated inside MIT's
    # libgssapi_krb5 are judged by asan-mech-abi, asan-sasl-abi and the
    # valgrind stages instead (the reason is in that file).
    # (LeakSanitizer takes one suppressions file: the two, concatenated.)
    cat "$lsan_supp" "$root/tools/sanitizers/lsan-swift.supp" > "$work/lsan-swift.supp"
    LSAN_OPTIONS="suppressions=$work/lsan-swift.supp:print_suppressions=0" \
      ASAN_OPTIONS="$asan" swift_tests asan-swift address .build-asan --skip "$mit_leaks"
    ASAN_OPTIONS="$asan:detect_leaks=0" swift_tests asan-stale address .build-asan --filter "$mit_leaks"
    # mech_abi_test.c holds a deliberately unterminated char array (a token
    # of exact size), which this newer clang warns about and gcc does not.
    ASAN_OPTIONS="$asan" c_test asan-mech-abi tests/c/mech_abi_test.c "$root/.build-asan/debug" \
      -D_GNU_SOURCE -Wno-unterminated-string-initialization
    ASAN_OPTIONS="$asan" c_test asan-sasl-abi tests/c/sasl_abi.c "$root/.build-asan/debug"
    ASAN_OPTIONS="$asan:detect_leaks=0" python_matrix asan "$root/.build-asan/debug/libzgss.so" \
      "$rt/libclang_rt.asan-x86_64.so"
    unset LSAN_OPTIONS
  fi
fi

if [ "$which" = both ] || [ "$which" = tsan ]; then
  if build thread .build-tsan; then
    # halt_on_error=0: one run shows every race; the exit code (66) still fails it.
    tsan="halt_on_error=0:exitcode=66:second_deadlock_stack=1:log_path=$work/reports/tsan"
    TSAN_OPTIONS="$tsan" swift_tests tsan-swift thread .build-tsan --skip LargeTokenTests
    # Into python: libdispatch first (the runtime's dispatch interceptors
    # need it), and libswiftCore loaded before TSan starts, so that TSan
    # finds the Swift runtime's __tsan_on_initialize hook; without it the
    # runtime's own synchronisation (swift_once) is invisible and every lazy
    # global looks like a race.
    TSAN_OPTIONS="$tsan" python_tests tsan "$root/.build-tsan/debug/libzgss.so" \
      "$swiftlib/libdispatch.so $rt/libclang_rt.tsan-x86_64.so $swiftlib/libswiftCore.so"
  fi
fi

finish
