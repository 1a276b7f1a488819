#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The whole test suite, from a fresh Debian 12 machine:
#   tools/test.sh
# Installs missing Debian packages, builds with warnings as errors, and runs
# every ring: pure unit tests, Kerberos tests against a throwaway MIT realm,
# the C ABI (symbols, C and C++, valgrind), and the interop suites against
# stock libzmq, Cyrus SASL and Mosquitto that are present in tools/.
# A missing tool or KDC fails the run; nothing is skipped.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export PKG_CONFIG_PATH="$root/.dist/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
log="$(mktemp -d)"
trap 'rm -rf "$log"' EXIT
total_passed=0
total_failed=0
failed_stages=()

stage() { echo; echo "=== $1 ($(date +%H:%M:%S))"; }

# Adds the "NAME: N passed, M failed" line a stage printed to the totals.
# A stage that printed no such line, or one that counted nothing, failed:
# no stage may pass by running nothing.
count() {
  local name="$1" file="$2" rc="$3" line p f
  line="$(grep -E '^[A-Za-z0-9_-]+: [0-9]+ passed, [0-9]+ failed' "$file" | tail -1)"
  if [ -n "$line" ]; then
    p="$(sed -E 's/^[^:]+: ([0-9]+) passed.*/\1/' <<<"$line")"
    f="$(sed -E 's/^[^:]+: [0-9]+ passed, ([0-9]+) failed.*/\1/' <<<"$line")"
  else
    p=0; f=0
  fi
  if [ $((p + f)) -eq 0 ]; then
    echo "$name: counted no test: the stage is broken"
    f=1; rc=1
  fi
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  total_passed=$((total_passed + p))
  total_failed=$((total_failed + f))
  [ "$rc" -eq 0 ] || failed_stages+=("$name")
}

run_stage() {
  local name="$1"; shift
  stage "$name"
  "$@" 2>&1 | tee "$log/$name.out"
  local rc=${PIPESTATUS[0]}
  count "$name" "$log/$name.out" "$rc"
  return 0
}

tools/setup.sh || { echo "setup failed"; exit 1; }

stage "swift build (warnings are errors)"
if ! swift build --build-tests -Xswiftc -warnings-as-errors 2>&1 | tail -5; then
  echo "zgss: 0 passed, 1 failed"; exit 1
fi
[ "${PIPESTATUS[0]}" -eq 0 ] || { echo "zgss: 0 passed, 1 failed"; exit 1; }

# Counts come from the xUnit files swift test writes (swift-testing's, and
# XCTest's when there are XCTest cases), not from its console text.
swift_tests() {
  rm -f "$log"/swift*.xml
  python3 tools/testrealm.py run -- swift test --skip-build --xunit-output "$log/swift.xml" 2>&1 \
    | tee "$log/swift-raw.out" | grep -vE '^(◇|↳)'
  local rc=${PIPESTATUS[0]}
  local files=("$log"/swift*.xml)
  [ -e "${files[0]}" ] || files=("$log/swift-testing.xml")
  python3 tools/junit_count.py swift "${files[@]}" || rc=1
  return "$rc"
}
run_stage swift swift_tests

# A build is a step, not a test: it stops the run when it fails and adds
# nothing to the counts.
stage "build-lib"
if ! tools/build-lib.sh 2>&1 | tail -3; then
  echo "zgss: 0 passed, 1 failed (tools/build-lib.sh)"; exit 1
fi
[ "${PIPESTATUS[0]}" -eq 0 ] || { echo "zgss: 0 passed, 1 failed (tools/build-lib.sh)"; exit 1; }
export ZGSS_LIB_BUILT=1   # the suites below use this build instead of making their own
run_stage check-abi tools/check-abi.sh

# Two programs under valgrind: the sans-I/O mechanism (tests/c/mech_abi_test.c)
# and zgss_poll / ZMQ_FD / ZMQ_EVENTS (tests/c/poll_abi_test.c); their
# counts are added into one "c-abi:" line.
c_abi() {
  local rc=0 p=0 f=0 name line
  cc -std=c99 -Wall -Wextra -Werror -D_GNU_SOURCE -o "$log/mech_abi_test" tests/c/mech_abi_test.c \
    $(pkg-config --cflags --libs zgss) -Wl,-rpath,"$root/.dist/lib" || return 1
  cc -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE -o "$log/poll_abi_test" tests/c/poll_abi_test.c \
    $(pkg-config --cflags --libs zgss) -lpthread -Wl,-rpath,"$root/.dist/lib" || return 1
  for name in mech_abi_test poll_abi_test; do
    python3 tools/testrealm.py run -- valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect \
      --show-leak-kinds=definite,indirect --error-exitcode=3 "$log/$name" >"$log/$name.out" 2>&1 || rc=1
    grep -vE '^c-abi(-poll)?: [0-9]+ passed' "$log/$name.out"
    line="$(grep -E '^c-abi(-poll)?: [0-9]+ passed, [0-9]+ failed' "$log/$name.out" | tail -1)"
    if [ -z "$line" ]; then
      echo "c-abi ($name): no result line (crash?)"; f=$((f + 1)); rc=1; continue
    fi
    echo "  $name: ${line#*: }"
    p=$((p + $(sed -E 's/^[^:]+: ([0-9]+) passed.*/\1/' <<<"$line")))
    f=$((f + $(sed -E 's/^[^:]+: [0-9]+ passed, ([0-9]+) failed.*/\1/' <<<"$line")))
  done
  echo "c-abi: $p passed, $f failed"
  [ "$rc" -eq 0 ] && [ "$f" -eq 0 ]
}
run_stage c-abi c_abi

# zgss_msg_* through the C ABI (tests/c/msg_abi_test.c): NULL, garbage and
# closed messages, free functions run exactly once, received messages and
# their properties released; under valgrind (leaks and bad reads fail).
c_msg() {
  local bin="$log/msg_abi_test"
  cc -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE -o "$bin" tests/c/msg_abi_test.c \
    $(pkg-config --cflags --libs zgss) -Wl,-rpath,"$root/.dist/lib" || return 1
  valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect \
    --show-leak-kinds=definite,indirect --error-exitcode=3 "$bin"
}
run_stage c-msg c_msg

# Handle checking through the C ABI (tests/c/handles_test.c): every kind of
# handle destroyed, foreign, of another kind, and destroyed while another
# thread calls into it; natively (threads really in parallel), then under
# valgrind (any read of freed memory fails the run). Counts both runs.
c_handles() {
  local bin="$log/handles_test" rc=0 p=0 f=0 line run
  cc -std=c11 -O1 -Wall -Wextra -Werror -D_GNU_SOURCE -o "$bin" tests/c/handles_test.c \
    $(pkg-config --cflags --libs zgss) -lpthread -Wl,-rpath,"$root/.dist/lib" || return 1
  # Natively every group, the threaded one included. Under valgrind only the
  # single-threaded groups (reads of destroyed and foreign handles are what
  # valgrind sees): valgrind runs one thread at a time, and the threaded
  # group's spinning destroyers made it take from 13 s to over 7 min.
  for run in native valgrind-values valgrind-foreign valgrind-destroyed; do
    if [ "$run" = native ]; then
      python3 tools/testrealm.py run -- "$bin" 300 >"$log/handles-$run.out" 2>&1 || rc=1
    else
      python3 tools/testrealm.py run -- valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect \
        --show-leak-kinds=definite,indirect --error-exitcode=3 "$bin" 20 "${run#valgrind-}" \
        >"$log/handles-$run.out" 2>&1 || rc=1
    fi
    grep -v '^handles: ' "$log/handles-$run.out"
    line="$(grep -E '^handles: [0-9]+ passed, [0-9]+ failed' "$log/handles-$run.out" | tail -1)"
    if [ -z "$line" ]; then
      echo "c-handles ($run): no result line (crash?)"; f=$((f + 1)); rc=1
    else
      echo "$line ($run)"
      p=$((p + $(sed -E 's/^handles: ([0-9]+) passed.*/\1/' <<<"$line")))
      f=$((f + $(sed -E 's/^handles: [0-9]+ passed, ([0-9]+) failed.*/\1/' <<<"$line")))
    fi
  done
  echo "c-handles: $p passed, $f failed"
  [ "$rc" -eq 0 ] && [ "$f" -eq 0 ]
}
run_stage c-handles c_handles

# Messages and tokens past 2 GiB through the C ABI, without valgrind (far
# too slow at that size); needs about 4 GiB of memory for a few seconds.
c_large() {
  local bin="$log/mech_large_test"
  cc -std=c99 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE -o "$bin" tests/c/mech_large_test.c \
    $(pkg-config --cflags --libs zgss) -Wl,-rpath,"$root/.dist/lib" || return 1
  python3 tools/testrealm.py run -- "$bin"
}
run_stage c-large c_large

# Runs a pytest command (given as everything after NAME) with a JUnit
# report and prints its counts as "NAME: N passed, M failed" (a skipped test
# counts as failed).
pytest_stage() {
  local name="$1"; shift
  "$@" -p no:cacheprovider --junitxml="$log/$name.xml" 2>&1 | tee "$log/$name-raw.out"
  local rc=${PIPESTATUS[0]}
  python3 tools/junit_count.py "$name" "$log/$name.xml" || rc=1
  return "$rc"
}
run_stage realm pytest_stage realm /usr/bin/python3 -m pytest -q tools/test_testrealm.py
run_stage interop-mechanism pytest_stage interop-mechanism \
  python3 tools/testrealm.py run -- /usr/bin/python3 -m pytest -q tests/interop

# The README's demo, checked for what it claims to show.
demo_check() {
  python3 tools/testrealm.py run -- tools/demo-sockets.sh >"$log/demo.out" 2>&1
  local rc=$? p=0 f=0
  cat "$log/demo.out"
  for want in "authenticated client principal: alice@EXAMPLE.TEST" \
              "authenticated service principal: zmq/localhost@EXAMPLE.TEST" \
              "libzmq subscriber received: b'weather sunny'" \
              "not found in Kerberos database"; do
    if grep -qF "$want" "$log/demo.out"; then p=$((p + 1)); else f=$((f + 1)); echo "demo: missing: $want"; fi
  done
  echo "demo: $p passed, $f failed"
  [ "$rc" -eq 0 ] && [ "$f" -eq 0 ]
}
run_stage demo demo_check

# libFuzzer smoke: every harness briefly over its committed corpus, each
# one a test (a crash or a build failure fails it). fuzz/run.sh runs the
# harnesses that need the KDC inside a throwaway realm. Longer runs:
# fuzz/campaign.sh 600, tools/fuzz-sasl.sh 600,
# tools/fuzz-principal.sh 600.
fuzz_smoke() {
  local seconds="${ZGSS_FUZZ_SECONDS:-8}" p=0 f=0 expected
  expected=$(ls fuzz/harness/*.swift fuzz/stack/*.swift | wc -l)
  fuzz/run.sh "$seconds" >"$log/fuzz-run.out" 2>&1
  grep -E "^(== |!! |fuzz-result: |#[0-9]+[[:space:]]+DONE)" "$log/fuzz-run.out"
  p=$(grep -c "^fuzz-result: [A-Za-z0-9_]* ok$" "$log/fuzz-run.out")
  f=$((expected - p))
  [ "$f" -eq 0 ] || tail -30 "$log/fuzz-run.out"
  if tools/fuzz-sasl.sh "$seconds" >"$log/fuzz-sasl.out" 2>&1; then p=$((p + 1)); else f=$((f + 1)); tail -20 "$log/fuzz-sasl.out"; fi
  grep -E "^Done" "$log/fuzz-sasl.out"
  if tools/fuzz-principal.sh "$seconds" >"$log/fuzz-principal.out" 2>&1; then p=$((p + 1)); else f=$((f + 1)); tail -20 "$log/fuzz-principal.out"; fi
  grep -E "^Done" "$log/fuzz-principal.out"
  echo "fuzz: $p passed, $f failed"
  [ "$f" -eq 0 ]
}
run_stage fuzz fuzz_smoke

for suite in tools/test-*.sh; do
  [ -e "$suite" ] || continue
  name="$(basename "$suite" .sh)"; name="${name#test-}"
  run_stage "$name" "$suite"
done

echo
if ((${#failed_stages[@]})); then
  echo "failed stages: ${failed_stages[*]}"
fi
echo "zgss: $total_passed passed, $total_failed failed"
[ "$total_failed" -eq 0 ] && [ ${#failed_stages[@]} -eq 0 ]
