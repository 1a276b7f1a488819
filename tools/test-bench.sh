#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Benchmark smoke test: builds bench/zbench.c against libzmq and zgss and
# runs tools/bench.sh --quick inside a throwaway realm. Checks only that
# every cell of both implementations produced a number and that every
# message sent was received; no timing assertions. The last line is
# always "bench: N passed, M failed".
#   tools/test-bench.sh [--no-build]
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
passed=0
failed=0
pass() { passed=$((passed + 1)); echo "PASS $*"; }
fail() { failed=$((failed + 1)); echo "FAIL $*"; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
if timeout 300 tools/bench.sh --quick "$@" --raw "$work/raw" > "$work/out" 2>&1; then
  pass "tools/bench.sh --quick ran"
else
  fail "tools/bench.sh --quick exited non-zero"
  tail -20 "$work/out"
fi

# The cells bench.sh runs in quick mode, and the numbers each must carry.
cells=()
for size in 64 1024 65536 1048576; do
  for mode in enc plain; do cells+=("thr $size $mode|msgs mbs sent received"); done
done
cells+=("hs|hs" "lat|p50 p99")
for n in 1 10 50; do cells+=("rss $n|kib_per_conn"); done
cells+=("pubfilter|msgs matching received")

for impl in libzmq zgss; do
  for entry in "${cells[@]}"; do
    spec="${entry%%|*}"
    keys="${entry#*|}"
    set -- $spec
    case "$1" in
      thr) pattern="impl=$impl cell=thr size=$2 mode=$3 " ;;
      rss) pattern="impl=$impl cell=rss conns=$2 " ;;
      *) pattern="impl=$impl cell=$1 " ;;
    esac
    line="$(grep -F "$pattern" "$work/raw" 2>/dev/null | head -1)"
    if [ -z "$line" ]; then
      fail "$impl $spec: no result"
      continue
    fi
    missing=""
    for key in $keys; do
      value="$(printf '%s\n' "$line" | tr ' ' '\n' | sed -n "s/^$key=//p")"
      [[ "$value" =~ ^-?[0-9]+(\.[0-9]+)?$ ]] || missing="$missing $key"
    done
    if [ -n "$missing" ]; then
      fail "$impl $spec: no number for$missing ($line)"
      continue
    fi
    if [ "$1" = thr ]; then
      sent="$(printf '%s\n' "$line" | tr ' ' '\n' | sed -n 's/^sent=//p')"
      received="$(printf '%s\n' "$line" | tr ' ' '\n' | sed -n 's/^received=//p')"
      bad="$(printf '%s\n' "$line" | tr ' ' '\n' | sed -n 's/^bad=//p')"
      if [ "$sent" != "$received" ] || [ "$bad" != 0 ] || [ "$sent" -le 0 ]; then
        fail "$impl $spec: sent $sent, received $received, wrong size $bad"
        continue
      fi
      pass "$impl $spec: $received of $sent messages delivered"
    elif [ "$1" = pubfilter ]; then
      matching="$(printf '%s\n' "$line" | tr ' ' '\n' | sed -n 's/^matching=//p')"
      received="$(printf '%s\n' "$line" | tr ' ' '\n' | sed -n 's/^received=//p')"
      if [ "$matching" != "$received" ] || [ "$matching" -le 0 ]; then
        fail "$impl $spec: $matching subscribed messages published, $received received"
        continue
      fi
      pass "$impl $spec: all $received subscribed messages of a mostly unsubscribed stream received"
    else
      pass "$impl $spec: $(printf '%s ' $keys)measured"
    fi
  done
done

# The handshake floor: both of its measurements ran, and the report
# turned them into a bound.
for entry in "cell=floor |us_per_iteration" "mode=shared |hs"; do
  pattern="${entry%%|*}"
  key="${entry#*|}"
  value="$(grep -F "$pattern" "$work/raw" 2>/dev/null | head -1 | tr ' ' '\n' | sed -n "s/^$key=//p")"
  if [[ "$value" =~ ^[0-9]+(\.[0-9]+)?$ ]]; then
    pass "floor: ${pattern% } $key=$value"
  else
    fail "floor: no $key from ${pattern% }"
  fi
done
if grep -Eq '^Handshake floor on this machine: .* at most [0-9]+ handshakes/s' "$work/out"; then
  pass "floor: the report states the bound"
else
  fail "floor: the report has no handshake floor line"
fi

# The Markdown table has no FAILED cell.
if grep -q '^| measurement ' "$work/out" && ! grep -q 'FAILED' "$work/out"; then
  pass "table: every cell has a number"
else
  fail "table: missing or has FAILED cells"
fi
echo "bench: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
