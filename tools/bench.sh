#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Side-by-side benchmark: bench/zbench.c built once against stock libzmq
# 4.3.4 (-lzmq) and once, unchanged, against zgss (-include zgss_zmq.h),
# each implementation talking to itself over TCP loopback inside a
# throwaway Kerberos realm (tools/testrealm.py). Prints the machine, the
# versions and a Markdown table with zgss/libzmq ratios; progress goes to
# stderr.
#   tools/bench.sh [--quick] [--no-build] [--raw FILE] [--json FILE] [--plot FILE.svg]
#   tools/bench.sh --plot FILE.svg --from FILE.json
#     --quick       tiny cells (CI: well under a minute)
#     --no-build    use the libzgss.so already in .dist
#     --raw FILE    also write every zbench result line to FILE
#     --json FILE   also write the table (every row, both numbers, the
#                   ratio), the handshake and round-trip floors as JSON:
#                   what --plot reads
#     --plot FILE   also draw the ratios and the handshake floor as an SVG
#                   chart (tools/bench_plot.py, matplotlib)
#     --from FILE   with --plot: redraw from a saved --json file, no run
# Exit status 1 when a cell produced no number or lost messages.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
quick=0
build=1
raw=""
json=""
plot=""
from=""
usage="usage: tools/bench.sh [--quick] [--no-build] [--raw FILE] [--json FILE] [--plot FILE.svg] | --plot FILE.svg --from FILE.json"
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --no-build) build=0 ;;
    --raw|--json|--plot|--from)
      [ $# -ge 2 ] || { echo "$usage" >&2; exit 2; }
      declare "${1#--}=$2"; shift ;;
    *) echo "$usage" >&2; exit 2 ;;
  esac
  shift
done
if [ -n "$from" ]; then
  [ -n "$plot" ] || { echo "bench: --from needs --plot FILE.svg" >&2; exit 2; }
  exec /usr/bin/python3 "$root/tools/bench_plot.py" plot "$from" "$plot"
fi
# --plot without --json still needs the JSON: keep it next to the chart.
[ -n "$plot" ] && [ -z "$json" ] && json="${plot%.svg}.json"
# relative paths name files where the command was run
for var in raw json plot; do
  if [ -n "${!var}" ] && [[ "${!var}" != /* ]]; then declare "$var=$PWD/${!var}"; fi
done

if [ -z "${ZGSS_BENCH_IN_REALM:-}" ]; then
  if [ "$build" -eq 1 ]; then
    log="$(mktemp)"
    if ! "$root/tools/build-lib.sh" > "$log" 2>&1; then tail -20 "$log"; rm -f "$log"; exit 1; fi
    rm -f "$log"
  fi
  args=(--no-build)
  [ "$quick" -eq 1 ] && args+=(--quick)
  [ -n "$raw" ] && args+=(--raw "$raw")
  [ -n "$json" ] && args+=(--json "$json")
  [ -n "$plot" ] && args+=(--plot "$plot")
  ZGSS_BENCH_IN_REALM=1 exec python3 "$root/tools/testrealm.py" run -- bash "$0" "${args[@]}"
fi

# ---- inside the realm -------------------------------------------------
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export PKG_CONFIG_PATH="$root/.dist/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
cc=${CC:-cc}
$cc -O2 -Wall -o "$work/zbench-libzmq" "$root/bench/zbench.c" -lzmq -lpthread
# shellcheck disable=SC2046
$cc -O2 -Wall -include zgss_zmq.h -o "$work/zbench-zgss" "$root/bench/zbench.c" \
  $(pkg-config --cflags --libs zgss) -lpthread -Wl,-rpath,"$root/.dist/lib"
# the handshake floor: bare TCP, and the Kerberos work alone
$cc -O2 -Wall -o "$work/tcpfloor" "$root/bench/tcpfloor.c" -lpthread
# shellcheck disable=SC2046
$cc -O2 -Wall -o "$work/mechbench" "$root/bench/mechbench.c" $(pkg-config --cflags --libs zgss) \
  -Wl,-rpath,"$root/.dist/lib"
ulimit -n 4096 2>/dev/null || true

if [ "$quick" -eq 1 ]; then
  thr_seconds=0.1; hs_seconds=0.3; lat_seconds=0.3; conns="1 10 50"; reps=2; pub_count=100000
  fan_filter=100000; fan_all=10000; conc_clients=20; conc_seconds=0.2; scale="1 10"; scale_seconds=0.1
else
  thr_seconds=1; hs_seconds=1.5; lat_seconds=1.5; conns="1 100 500"; reps=3; pub_count=2000000
  fan_filter=1000000; fan_all=50000; conc_clients=200; conc_seconds=1; scale="1 10 100 1000"; scale_seconds=0.5
fi
sizes="64 1024 65536 1048576"
# PUSH->PULL variants: security mode and high-water marks ("window": 1000,
# or fewer at 1 MiB so at most 64 MiB is in flight; "default": not set)
thr_variants="enc:window plain:window plain:default null:window null:default"

declare -A result
# every run's result line of a cell, in order: "IMPL CELL" -> lines
declare -A runs
failures=0
started=$SECONDS
: > "$work/raw"
# run CELL KEY REPS ARGS...: both implementations, alternating, REPS
# times each; the run with the median KEY is kept (this 2-core machine
# is noisy). Any failed run fails the cell.
run() {
  local cell="$1" key="$2" reps="$3"; shift 3
  local impl line rep
  declare -A lines=()
  echo "bench: [$((SECONDS - started)) s] $cell" >&2
  for ((rep = 0; rep < reps; rep++)); do
    for impl in libzmq zgss; do
      if line="$(timeout 120 "$work/zbench-$impl" "$@" 2>"$work/err")" && [ -n "$line" ]; then
        lines[$impl]+="$line"$'\n'
      else
        lines[$impl]+="FAILED"$'\n'
        echo "bench: $impl $cell failed: $(tail -3 "$work/err")${line:+ (result: $line)}" >&2
      fi
      echo "${line:-impl=$impl cell=$cell FAILED}" >> "$work/raw"
    done
  done
  for impl in libzmq zgss; do
    runs["$impl $cell"]="${lines[$impl]}"
    if printf '%s' "${lines[$impl]}" | grep -q '^FAILED$'; then
      result["$impl $cell"]=""
      failures=$((failures + 1))
      continue
    fi
    result["$impl $cell"]="$(printf '%s' "${lines[$impl]}" | awk -v key="$key" '{
        for (i = 1; i <= NF; i++) if (index($i, key "=") == 1) v = substr($i, length(key) + 2)
        print v "\t" $0 }' | sort -g | awk -F '\t' -v n="$reps" 'NR == int((n + 1) / 2) { print $2 }')"
  done
}
# field CELL IMPL KEY: one value of a result line ("" when missing).
field() {
  local line="${result["$2 $1"]:-}"
  printf '%s\n' "$line" | tr ' ' '\n' | sed -n "s/^$3=//p"
}
# pair_range CELL KEY: the lowest and highest zgss/libzmq ratio of KEY
# over the cell's pairs of runs (each libzmq run and the zgss run right
# after it), tab-separated; nothing for a cell run once or with a failed run.
pair_range() {
  paste -d '\t' <(printf '%s' "${runs["libzmq $1"]:-}") <(printf '%s' "${runs["zgss $1"]:-}") |
    awk -F '\t' -v key="$2" '
      function value(line,   i, n, f) {
        n = split(line, f, " ")
        for (i = 1; i <= n; i++) if (index(f[i], key "=") == 1) return substr(f[i], length(key) + 2)
        return ""
      }
      { l = value($1); z = value($2); if (l == "" || z == "" || l + 0 <= 0) bad = 1
        else { r = z / l; if (NR == 1 || r < lo) lo = r; if (NR == 1 || r > hi) hi = r } }
      END { if (NR >= 2 && !bad) printf "%.2f\t%.2f\n", lo, hi }'
}

for size in $sizes; do
  for variant in $thr_variants; do
    mode="${variant%%:*}"; hwm="${variant#*:}"
    run "thr-$size-$mode-$hwm" msgs "$reps" thr "$size" "$thr_seconds" "$mode" "$hwm"
  done
done
run hs hs "$reps" hs "$hs_seconds"
run lat p50 "$reps" lat "$lat_seconds"
for n in $conns; do run "rss-$n" kib_per_conn 1 rss "$n"; done
run pubfilter msgs "$reps" pubfilter "$pub_count"
for mode in enc plain; do
  run "fanout-$mode-filter" msgs "$reps" fanout "$mode" filter "$fan_filter"
  run "fanout-$mode-all" msgs "$reps" fanout "$mode" all "$fan_all"
done
run "conc-$conc_clients" hs "$reps" conc "$conc_clients" "$conc_seconds"
for n in $scale; do
  run "thrconns-$n" msgs "$reps" thrconns "$n" "$scale_seconds"
  run "conc-$n" hs "$reps" conc "$n" "$scale_seconds"
done

# floor_runs REPS COMMAND...: runs a floor tool REPS times and prints its
# result lines (nothing when a run fails, which counts as a failed cell)
floor_runs() {
  local reps="$1" rep out lines=""
  shift
  echo "bench: [$((SECONDS - started)) s] floor: $(basename "$1")${2:+ $2}" >&2
  for ((rep = 0; rep < reps; rep++)); do
    if ! out="$(timeout 120 "$@" 2>"$work/err")"; then
      echo "bench: $1 failed: $(tail -3 "$work/err")" >&2
      failures=$((failures + 1))
      return
    fi
    echo "$out" >> "$work/raw"
    lines+="$out"$'\n'
  done
  printf '%s' "$lines"
}
# median_of KEY LINES: the median of KEY over the lines ("" when none)
median_of() {
  printf '%s' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p" | sort -g |
    awk '{ v[NR] = $0 } END { if (NR > 0) print v[int((NR + 1) / 2)] }'
}
floor_us="$(median_of us_per_iteration "$(floor_runs "$reps" "$work/tcpfloor" "$hs_seconds")")"
kerberos_hs="$(median_of hs "$(floor_runs "$reps" "$work/mechbench" "$hs_seconds" shared)")"
rtt_lines="$(floor_runs "$reps" "$work/tcpfloor" rtt "$lat_seconds")"
rtt_direct_us="$(median_of direct_p50_us "$rtt_lines")"
rtt_handoff_us="$(median_of handoff_p50_us "$rtt_lines")"
echo "bench: [$((SECONDS - started)) s] done" >&2

[ -n "$raw" ] && cp "$work/raw" "$raw"

# ---- report -------------------------------------------------------------
cpu="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
title="zgss vs libzmq $( "$work/zbench-libzmq" info | sed -n 's/.*version=//p')"
machine="$(nproc) CPUs, ${cpu:-unknown CPU}, $(uname -sr), net.core.somaxconn $(cat /proc/sys/net/core/somaxconn 2>/dev/null || echo ?)"
date_utc="$(date -u '+%Y-%m-%d %H:%M UTC')"
mode_text="$([ "$quick" -eq 1 ] && echo 'quick (tiny counts: numbers are not meaningful)' || echo "full: median of $reps alternating runs per cell ($thr_seconds s throughput, $hs_seconds s handshake and latency cells)"); each implementation talks to itself over TCP loopback"
echo "## $title"
echo
echo "- machine: $machine"
echo "- date: $date_utc"
echo "- zgss $("$work/zbench-zgss" info | sed -n 's/.*version=//p') ($(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')), libzmq $(pkg-config --modversion libzmq 2>/dev/null || echo '?'), $(krb5-config --version 2>/dev/null || echo 'krb5 ?'), $($cc --version | head -1)"
echo "- mode: $mode_text"
echo
echo "| measurement | libzmq | zgss | zgss/libzmq |"
echo "|---|---:|---:|---:|"
# every row also goes to $work/rows (tab-separated) for --json and --plot:
# cell, label, unit, libzmq, zgss, lower is better (1/0), drawn (1/0),
# lowest and highest ratio over the pairs of runs ("" when not known)
: > "$work/rows"
# row CELL LABEL KEY UNIT LOWER_IS_BETTER [DRAWN]: the median runs' KEY
row() {
  local l z range lo="" hi=""
  l="$(field "$1" libzmq "$3")"; z="$(field "$1" zgss "$3")"
  range="$(pair_range "$1" "$3")"
  if [ -n "$range" ]; then lo="${range%%$'\t'*}"; hi="${range#*$'\t'}"; fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$4" "$l" "$z" "$5" "${6:-1}" "$lo" "$hi" >> "$work/rows"
  awk -v label="$2" -v l="$l" -v z="$z" -v unit="$4" -v lower="$5" -v lo="$lo" -v hi="$hi" 'BEGIN {
    ratio = (l + 0 > 0 && z != "") ? sprintf("%.2fx", z / l) : "-"
    if (ratio != "-" && lo != "") ratio = ratio " (" lo "-" hi "x)"
    if (lower == 1 && ratio != "-") ratio = ratio " (lower is better)"
    suffix = (unit == "") ? "" : " " unit
    lv = (l == "") ? "FAILED" : l suffix
    zv = (z == "") ? "FAILED" : z suffix
    printf "| %s | %s | %s | %s |\n", label, lv, zv, ratio
  }'
}
human_size() {
  case "$1" in 64) echo "64 B" ;; 1024) echo "1 KiB" ;; 65536) echo "64 KiB" ;; 1048576) echo "1 MiB" ;; *) echo "$1 B" ;; esac
}
# the high-water marks a throughput cell ran with, for its label
hwm_text() {
  local hwm="${1##*-}" value other
  value="$(field "$1" zgss sndhwm)"; other="$(field "$1" libzmq sndhwm)"
  [ "$value" = "$other" ] || value="zgss ${value:-?}, libzmq ${other:-?}"
  if [ "$hwm" = window ]; then echo "HWM set to ${value:-?}"; else echo "default HWM (${value:-?})"; fi
}
for variant in $thr_variants; do
  mode="${variant%%:*}"
  case "$mode" in enc) mode_label="GSSAPI encrypted" ;; plain) mode_label="GSSAPI plaintext" ;; *) mode_label="NULL mechanism" ;; esac
  for size in $sizes; do
    cell="thr-$size-$mode-${variant#*:}"
    label="PUSH→PULL $(human_size "$size") $mode_label, $(hwm_text "$cell")"
    row "$cell" "$label, msg/s" "msgs" "" 0
    row "$cell" "$label, MB/s" "mbs" "" 0 0
  done
done
row hs "handshakes/s (connect + REQ/REP + close, encrypted)" "hs" "" 0
row lat "REQ/REP round trip p50, 16 B encrypted" "p50" "µs" 1
row lat "REQ/REP round trip p99, 16 B encrypted" "p99" "µs" 1
for n in $conns; do
  row "rss-$n" "server RSS per idle encrypted connection, $n connections" "kib_per_conn" "KiB" 1
done
row pubfilter "PUB→SUB, 1 in 1000 messages subscribed to (the Guide's wuserver, NULL), msg/s" \
  "msgs" "" 0
for mode in enc plain; do
  mode_label="$([ "$mode" = enc ] && echo "GSSAPI encrypted" || echo "GSSAPI plaintext")"
  row "fanout-$mode-filter" "PUB→10 SUBs, prefix filters, 9 in 10 messages match nobody, $mode_label, msg/s published" \
    "msgs" "" 0
  row "fanout-$mode-all" "PUB→10 SUBs, every SUB gets every message, $mode_label, msg/s published" \
    "msgs" "" 0
done
cell="conc-$conc_clients"
row "$cell" "$conc_clients clients connect at once (encrypted REQ→ROUTER, ZMQ_BACKLOG $(field "$cell" zgss backlog), one round trip): time until all ready" \
  "all_ready_ms" "ms" 1
row "$cell" "$conc_clients clients connect at once: server CPU (all its threads) per wave" \
  "server_cpu_s" "s" 1
row "$cell" "$conc_clients clients connect at once: client CPU (all the client process's threads) per wave" \
  "client_cpu_s" "s" 1
row "$cell" "$conc_clients clients connect at once: failed clients (must be 0)" \
  "failures" "" 1 0
for n in $scale; do
  row "thrconns-$n" "scaling, N = $n: encrypted PUSH→PULL 1 KiB over N connections (one PUSH socket each), msg/s" \
    "msgs" "" 0
done
for n in $scale; do
  row "conc-$n" "scaling, N = $n: N clients connecting at once, handshakes/s" \
    "hs" "" 0
done

echo
echo "Handshake cell, per iteration (median run): zgss socket+connect $(field hs zgss open_us) µs," \
  "first round trip (waits for the handshake) $(field hs zgss first_rt_us) µs, close $(field hs zgss close_us) µs;" \
  "libzmq $(field hs libzmq open_us) / $(field hs libzmq first_rt_us) / $(field hs libzmq close_us) µs."

if [ -n "$floor_us" ] && [ -n "$kerberos_hs" ] && [ -n "$(field hs libzmq hs)" ]; then
  awk -v floor="$floor_us" -v khs="$kerberos_hs" -v lhs="$(field hs libzmq hs)" -v zhs="$(field hs zgss hs)" 'BEGIN {
    k = 1e6 / khs; best = 1e6 / (floor + k)
    printf "\nHandshake floor on this machine: bare TCP (connect, the three round trips a pipelined GSSAPI handshake needs, close; blocking sockets, two threads, bench/tcpfloor.c) %.0f µs + the Kerberos work of one handshake (both sides in one thread, bench/mechbench.c) %.0f µs = %.0f µs per iteration, so at most %.0f handshakes/s: %.2fx libzmq here. zgss reaches %.0f%% of that bound.\n",
      floor, k, floor + k, best, best / lhs, 100 * zhs / best
  }'
fi

# The latency cell against the least a round trip costs here without
# ZeroMQ: two threads on bare TCP, and zgss's structure (a reader thread
# handing each message to the waiting application thread).
if [ -n "$rtt_direct_us" ] && [ -n "$rtt_handoff_us" ] && [ -n "$(field lat libzmq p50)" ] && [ -n "$(field lat zgss p50)" ]; then
  awk -v direct="$rtt_direct_us" -v handoff="$rtt_handoff_us" -v l="$(field lat libzmq p50)" -v z="$(field lat zgss p50)" 'BEGIN {
    printf "\nRound-trip floor on this machine (16 B each way over TCP loopback, medians, bench/tcpfloor.c rtt): two threads that each read and write their own socket end (two thread wake-ups per round trip) %.1f µs; with a reader thread on each side handing every message to the waiting application thread, zgss'"'"'s structure (four wake-ups), %.1f µs. zgss p50 %.1f µs is %.0f µs %s that structure'"'"'s floor; libzmq p50 %.1f µs; 0.8x libzmq would be %.1f µs.\n",
      direct, handoff, z, (z >= handoff ? z - handoff : handoff - z), (z >= handoff ? "above" : "below"), l, 0.8 * l
  }'
fi

# The concurrent cell shares the machine's CPUs between both processes: a
# wave cannot take less than their CPU per wave spread over every CPU.
cell="conc-$conc_clients"
if [ -n "$(field "$cell" libzmq client_cpu_s)" ] && [ -n "$(field "$cell" zgss client_cpu_s)" ]; then
  awk -v cpus="$(nproc)" -v n="$conc_clients" \
    -v lc="$(field "$cell" libzmq client_cpu_s)" -v ls="$(field "$cell" libzmq server_cpu_s)" \
    -v lw="$(field "$cell" libzmq all_ready_ms)" -v zc="$(field "$cell" zgss client_cpu_s)" \
    -v zs="$(field "$cell" zgss server_cpu_s)" -v zw="$(field "$cell" zgss all_ready_ms)" 'BEGIN {
    lcpu = (lc + ls) * 1e3; zcpu = (zc + zs) * 1e3
    printf "\nConcurrent-handshake bound on this machine (%d clients, both processes on %d CPUs): a wave needs at least its CPU time (client + server) spread over every CPU. libzmq: %.1f ms of CPU per wave, at least %.1f ms, took %.1f ms; zgss: %.1f ms of CPU (%.0f µs per handshake, both sides), at least %.1f ms, took %.1f ms (the bound is %.0f%% of that). Half of libzmq'"'"'s time (%.1f ms) needs at most %.1f ms of CPU per wave.\n",
      n, cpus, lcpu, lcpu / cpus, lw, zcpu, zcpu * 1e3 / n, zcpu / cpus, zw, 100 * (zcpu / cpus) / zw, lw / 2, lw / 2 * cpus
  }'
fi

# Every message sent must have arrived, in both implementations.
lost=0
# lost_check CELL IMPL SENT_KEY RECEIVED_KEY: sent == received > 0, bad 0
# (zbench itself exits 1 on a loss, which fails the cell; this checks the
# line it printed as well)
lost_check() {
  local sent got bad
  [ -n "${result["$2 $1"]:-}" ] || return 0 # a failed cell, already counted and shown
  sent="$(field "$1" "$2" "$3")"; got="$(field "$1" "$2" "$4")"; bad="$(field "$1" "$2" bad)"
  if [ -z "$sent" ] || [ "$sent" != "$got" ] || [ "$sent" -le 0 ] || [ "${bad:-0}" != 0 ]; then
    lost=$((lost + 1))
    echo "bench: $2 $1: ${sent:-?} messages to deliver, ${got:-?} received, ${bad:-?} wrong" >&2
  fi
}
for impl in libzmq zgss; do
  for size in $sizes; do
    for variant in $thr_variants; do lost_check "thr-$size-${variant%%:*}-${variant#*:}" $impl sent received; done
  done
  lost_check pubfilter $impl matching received
  for mode in enc plain; do
    for subs in filter all; do lost_check "fanout-$mode-$subs" $impl matching received; done
  done
  for n in $scale; do lost_check "thrconns-$n" $impl sent received; done
  for n in $conc_clients $scale; do
    if [ -n "${result["$impl conc-$n"]:-}" ] && [ "$(field "conc-$n" $impl failures)" != 0 ]; then
      lost=$((lost + 1))
      echo "bench: $impl conc-$n: $(field "conc-$n" $impl failures) clients failed" >&2
    fi
  done
done

if [ -n "$json" ]; then
  printf '%s\t%s\n' title "$title" machine "$machine" date "$date_utc" mode "$mode_text" quick "$quick" \
    floor_tcp_us "$floor_us" kerberos_hs "$kerberos_hs" \
    rtt_direct_us "$rtt_direct_us" rtt_handoff_us "$rtt_handoff_us" \
    hs_libzmq "$(field hs libzmq hs)" hs_zgss "$(field hs zgss hs)" > "$work/meta"
  /usr/bin/python3 "$root/tools/bench_plot.py" json "$work/rows" "$work/meta" "$json"
fi
if [ -n "$plot" ]; then
  /usr/bin/python3 "$root/tools/bench_plot.py" plot "$json" "$plot"
  echo "bench: chart written to $plot" >&2
fi
echo
echo "bench: $((failures)) failed cells, $lost cells with lost messages"
[ "$failures" -eq 0 ] && [ "$lost" -eq 0 ]
