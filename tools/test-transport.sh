#!/usr/bin/env bash
# Transport tests: builds the release libzgss.so (tools/build-lib.sh), runs
# the Swift unit tests of ZMTPTransport, then the interop matrix against
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

if tools/build-lib.sh > /tmp/zgss-transport-build.$$ 2>&1; then
  passed=$((passed + 1)); echo "PASS build: tools/build-lib.sh"
else
  failed=$((failed + 1)); echo "FAIL build: tools/build-lib.sh"; tail -20 /tmp/zgss-transport-build.$$
  rm -f /tmp/zgss-transport-build.$$
  finish
fi
rm -f /tmp/zgss-transport-build.$$

# Every zgss_* function declared in zgss.h is exported by the .so, and the
# .so exports nothing else (version script).
declared="$(grep -oE '\bzgss_[a-z_]+ *\(' include/zgss.h | sed 's/ *(//' | sort -u)"
exported="$(nm -D --defined-only .dist/lib/libzgss.so | awk '$2 == "T" {print $3}' | sed 's/@.*//' | sort -u)"
if [ "$declared" = "$exported" ]; then
  passed=$((passed + 1)); echo "PASS symbols: zgss.h declarations == exported zgss_* ($(printf '%s\n' "$declared" | wc -l))"
else
  failed=$((failed + 1)); echo "FAIL symbols: header vs .so differ:"; diff <(printf '%s\n' "$declared") <(printf '%s\n' "$exported")
fi

# Swift unit tests (endpoint parsing, subscription trie, FIFO): one line each.
unit="$(swift test --filter ZMTPTransportTests 2>&1)"
unit_pass=$(printf '%s\n' "$unit" | grep '✔ Test .* passed' | grep -vc '✔ Test run with' || true)
unit_fail=$(printf '%s\n' "$unit" | grep -c '✘ Test .* failed' || true)
if printf '%s\n' "$unit" | grep -q 'error:'; then unit_fail=$((unit_fail + 1)); fi
if [ "$unit_pass" -eq 0 ] && [ "$unit_fail" -eq 0 ]; then unit_fail=1; fi
printf '%s\n' "$unit" | grep -E '✘|error:' || true
echo "unit: $unit_pass passed, $unit_fail failed (swift test --filter ZMTPTransportTests)"
passed=$((passed + unit_pass)); failed=$((failed + unit_fail))

export ZGSS_LIB="$root/.dist/lib/libzgss.so"

# Python binding (python/zgss) against python3-zmq; pytest makes its own realm.
py="$(timeout 300 /usr/bin/python3 -m pytest -q -p no:cacheprovider python/tests 2>&1)"
py_pass=$(printf '%s\n' "$py" | tail -1 | sed -n 's/.*\b\([0-9][0-9]*\) passed.*/\1/p')
py_fail=$(printf '%s\n' "$py" | tail -1 | sed -n 's/.*\b\([0-9][0-9]*\) \(failed\|error\).*/\1/p')
py_pass=${py_pass:-0}; py_fail=${py_fail:-0}
if [ "$py_pass" -eq 0 ] && [ "$py_fail" -eq 0 ]; then py_fail=1; printf '%s\n' "$py" | tail -20; fi
[ "$py_fail" -ne 0 ] && printf '%s\n' "$py" | grep -E '^(FAILED|ERROR)' || true
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
