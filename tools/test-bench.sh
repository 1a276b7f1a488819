#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Benchmark smoke test: builds bench/zbench.c against libzmq and zgss and
# runs tools/bench.sh --quick inside a throwaway realm. Checks only that
# every cell of both implementations produced a number and that every
# message sent was received (every client served), and that --plot drew
# a valid SVG with one bar per charted row, also when redrawn from the
# saved JSON with --from; no timing assertions. The last line is always
# "bench: N passed, M failed".
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
if timeout 300 tools/bench.sh --quick "$@" --raw "$work/raw" --json "$work/bench.json" --plot "$work/bench.svg" \
  > "$work/out" 2> "$work/err"; then
  pass "tools/bench.sh --quick ran"
else
  fail "tools/bench.sh --quick exited non-zero"
  tail -n 20 "$work/out" "$work/err"
fi

# The cells bench.sh runs in quick mode: "pattern of its result line|the
# numbers it must carry|what must match" (sent = every message sent was
# received; matching = every message meant for a subscriber arrived;
# clients = no client failed).
cells=()
for size in 64 1024 65536 1048576; do
  for variant in enc:window plain:window plain:default null:window null:default; do
    cells+=("cell=thr size=$size mode=${variant%%:*} hwm=${variant#*:}|msgs mbs sent received sndhwm|sent")
  done
done
cells+=("cell=hs|hs|" "cell=lat|p50 p99|")
for n in 1 10 50; do cells+=("cell=rss conns=$n|kib_per_conn|"); done
cells+=("cell=pubfilter|msgs matching received|matching")
for mode in enc plain; do
  for subs in filter all; do cells+=("cell=fanout mode=$mode subs=$subs|msgs matching received|matching"); done
done
for n in 20 1 10; do cells+=("cell=conc conns=$n|hs all_ready_ms server_cpu_s client_cpu_s failures|clients"); done
for n in 1 10; do cells+=("cell=thrconns conns=$n|msgs mbs sent received|sent"); done

value_of() { printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
for impl in libzmq zgss; do
  for entry in "${cells[@]}"; do
    IFS='|' read -r spec keys check <<< "$entry"
    name="$impl ${spec#cell=}"
    lines="$(grep -F "impl=$impl $spec " "$work/raw" 2>/dev/null)"
    if [ -z "$lines" ]; then
      fail "$name: no result"
      continue
    fi
    problem=""
    while IFS= read -r line; do
      for key in $keys; do
        [[ "$(value_of "$line" "$key")" =~ ^-?[0-9]+(\.[0-9]+)?$ ]] || problem="$problem no number for $key;"
      done
      bad="$(value_of "$line" bad)"
      case "$check" in
        sent)
          sent="$(value_of "$line" sent)"; received="$(value_of "$line" received)"
          if [ "$sent" != "$received" ] || [ "$bad" != 0 ] || ! [ "${sent:-0}" -gt 0 ]; then
            problem="$problem sent $sent, received $received, wrong size $bad;"
          fi ;;
        matching)
          matching="$(value_of "$line" matching)"; received="$(value_of "$line" received)"
          if [ "$matching" != "$received" ] || [ "${bad:-0}" != 0 ] || ! [ "${matching:-0}" -gt 0 ]; then
            problem="$problem $matching messages meant for subscribers, $received received, ${bad:-0} misrouted;"
          fi ;;
        clients)
          [ "$(value_of "$line" failures)" = 0 ] || problem="$problem $(value_of "$line" failures) clients failed;" ;;
      esac
    done <<< "$lines"
    if [ -n "$problem" ]; then
      fail "$name:$problem ($(printf '%s' "$lines" | head -1))"
    else
      case "$check" in
        sent) pass "$name: $keys measured, every message delivered" ;;
        matching) pass "$name: $keys measured, every subscribed message received" ;;
        clients) pass "$name: $keys measured, no client failed" ;;
        *) pass "$name: $keys measured" ;;
      esac
    fi
  done
done

# The handshake floor: both of its measurements ran, and the report
# turned them into a bound.
for entry in "cell=floor |us_per_iteration" "mode=shared |hs" "cell=rttfloor |direct_p50_us" "cell=rttfloor |handoff_p50_us"; do
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
if grep -Eq '^Round-trip floor on this machine \(.*\): .* [0-9]+\.[0-9] µs; with a reader thread .* [0-9]+\.[0-9] µs\. zgss p50 [0-9]+\.[0-9] µs' "$work/out"; then
  pass "round-trip floor: the report states it"
else
  fail "round-trip floor: the report has no round-trip floor line"
fi
if grep -Eq '^Concurrent-handshake bound on this machine \(.*\): .* needs at most [0-9]+(\.[0-9]+)? ms of CPU per wave' "$work/out"; then
  pass "conc bound: the report states it"
else
  fail "conc bound: the report has no concurrent-handshake bound line"
fi

# The Markdown table has no FAILED cell, and a row for every kind of cell.
if grep -q '^| measurement ' "$work/out" && ! grep -q 'FAILED' "$work/out"; then
  pass "table: every cell has a number"
else
  fail "table: missing or has FAILED cells"
fi
for row in "NULL mechanism, default HWM" "GSSAPI plaintext, default HWM" "PUB→10 SUBs, prefix filters" \
  "PUB→10 SUBs, every SUB" "clients connect at once" "scaling, N = 10: encrypted PUSH→PULL" \
  "scaling, N = 10: N clients connecting at once"; do
  if grep '^| ' "$work/out" | grep -F "$row" >/dev/null; then
    pass "table: has a row for \"$row\""
  else
    fail "table: no row for \"$row\""
  fi
done

# Every cell run more than once (all but the RSS cells) reports the spread
# of its pairs of runs, in the table and in the JSON.
check_spread() {
  /usr/bin/python3 - "$work/bench.json" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1], encoding="utf-8"))["rows"]
checked = 0
for row in rows:
    if row["cell"].startswith("rss-") or not row["libzmq"]:
        continue
    spread = row.get("pair_ratio_range")
    if not spread or not (0 < spread[0] <= spread[1]):
        sys.exit(f"{row['label']}: pair ratio range {spread!r}")
    checked += 1
if checked == 0:
    sys.exit("no row to check")
print(f"{checked} rows")
PY
}
if out="$(check_spread 2>&1)" &&
  grep -Eq '^\| handshakes/s .* \| [0-9.]+x \([0-9.]+-[0-9.]+x\) \|$' "$work/out"; then
  pass "spread: the pairs' lowest and highest ratio in the table and the JSON ($out)"
else
  fail "spread: missing or wrong: ${out:-no range in the handshake row of the table}"
fi

# The chart: valid SVG, one bar per charted row of the JSON (and every
# kind of cell charted), the handshake panel's bars; and the same again
# when redrawn from the saved JSON without a run.
check_svg() {
  /usr/bin/python3 - "$1" "$work/bench.json" <<'PY'
import json, sys
import xml.etree.ElementTree as ET
svg_path, json_path = sys.argv[1], sys.argv[2]


def check():
    rows = json.load(open(json_path, encoding="utf-8"))["rows"]
    drawn = [r for r in rows if r["drawn"]]
    root = ET.parse(svg_path).getroot()
    assert root.tag.endswith("svg"), f"root element is {root.tag}, not svg"
    ids = [e.get("id", "") for e in root.iter()]
    bars = [i for i in ids if i.startswith("cell-")]
    assert len(bars) == len(drawn), f"{len(bars)} bars for {len(drawn)} charted rows"
    cells = {r["cell"] for r in rows}
    charted = {r["cell"] for r in drawn}
    assert cells == charted, f"cells without a bar: {sorted(cells - charted)}"
    for needed in ("handshake-floor", "handshake-zgss", "handshake-libzmq"):
        assert needed in ids, f"no {needed} bar"
    assert all(r["ratio"] is not None for r in drawn), "a charted row has no ratio"
    print(f"{len(bars)} bars for {len(cells)} cells, handshake panel complete")


try:
    check()
except (AssertionError, ET.ParseError, OSError, ValueError, KeyError) as error:
    sys.exit(f"{type(error).__name__}: {error}")
PY
}
if [ -s "$work/bench.svg" ] && head -c 400 "$work/bench.svg" | grep -q '<svg' && out="$(check_svg "$work/bench.svg" 2>&1)"; then
  pass "plot: --plot drew $out"
else
  fail "plot: --plot gave no valid chart: ${out:-no file}"
fi
if tools/bench.sh --plot "$work/redrawn.svg" --from "$work/bench.json" > "$work/redraw.out" 2>&1 &&
  out="$(check_svg "$work/redrawn.svg" 2>&1)"; then
  pass "plot: --from redrew $out"
else
  fail "plot: --plot --from failed: ${out:-$(tail -3 "$work/redraw.out")}"
fi
echo "bench: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
