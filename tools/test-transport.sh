#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Transport tests: builds the release libzgss.so (tools/build-lib.sh) unless
# tools/test.sh already has, runs python/tests, then the interop matrix against
# stock libzmq 4.3.4 (python3-zmq, /usr/bin/python3) inside a throwaway
# Kerberos realm (tools/testrealm.py). Exits non-zero on any failure; the
# last line is always "transport: N passed, M failed".
#   tools/test-transport.sh [matrix-filter-substring]
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
passed=0
failed=0
finish() {
  echo "transport: $passed passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit $?
}

# The release library (a build, not a test: a failure stops the suite).
# tools/test.sh has built it already and says so with ZGSS_LIB_BUILT=1.
if [ "${ZGSS_LIB_BUILT:-}" != 1 ]; then
  tools/build-lib.sh > /tmp/zgss-transport-build.$$ 2>&1 \
    || { echo "FAIL build: tools/build-lib.sh"; tail -20 /tmp/zgss-transport-build.$$; rm -f /tmp/zgss-transport-build.$$; failed=1; finish; }
  rm -f /tmp/zgss-transport-build.$$
fi
# The Swift unit tests of ZMTPTransport run in tools/test.sh's swift stage,
# and the exported symbols are checked by tools/check-abi.sh: not here again.

export ZGSS_LIB="$root/.dist/lib/libzgss.so"

# Python binding (python/zgss) against python3-zmq; pytest makes its own realm.
junit="$(mktemp)"
py="$(timeout 300 /usr/bin/python3 -m pytest -q -p no:cacheprovider --junitxml="$junit" python/tests 2>&1)"
py_rc=$?
py_line="$(python3 tools/junit_count.py pytest "$junit" | tail -1)"
rm -f "$junit"
py_pass=$(sed -n 's/^pytest: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p' <<<"$py_line")
py_fail=$(sed -n 's/^pytest: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p' <<<"$py_line")
py_pass=${py_pass:-0}; py_fail=${py_fail:-1}
if [ "$py_rc" -ne 0 ] && [ "$py_fail" -eq 0 ]; then py_fail=1; fi
[ "$py_fail" -ne 0 ] && printf '%s\n' "$py" | tail -30
echo "pytest: $py_pass passed, $py_fail failed (python/tests)"
passed=$((passed + py_pass)); failed=$((failed + py_fail))

out="$(timeout 600 python3 tools/testrealm.py run -- /usr/bin/python3 tools/interop/matrix.py "$@" 2>&1)"
printf '%s\n' "$out" | grep -v '^transport: '
summary="$(printf '%s\n' "$out" | grep '^transport: ' | tail -1)"
if [ -z "$summary" ]; then
  echo "FAIL interop: the matrix did not finish (crash, hang or missing realm)"
  failed=$((failed + 1))
else
  m_pass=$(printf '%s' "$summary" | sed -n 's/^transport: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
  m_fail=$(printf '%s' "$summary" | sed -n 's/^transport: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
  passed=$((passed + ${m_pass:-0})); failed=$((failed + ${m_fail:-1}))
fi
finish
