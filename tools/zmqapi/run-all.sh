#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs inside the realm tools/test-zmqapi.sh makes; see that script.
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
filter="${1:-}"
export PKG_CONFIG_PATH="$root/.dist/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
export LD_LIBRARY_PATH="$root/.dist/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cflags=(-std=c11 -D_DEFAULT_SOURCE -Wall -Werror -O1 -g)
zgss_flags=$(pkg-config --cflags --libs zgss) || { echo "FAIL pkg-config zgss"; echo "zmqapi: 0 passed, 1 failed"; exit 1; }
passed=0 failed=0
fail() { echo "FAIL $1: $2"; failed=$((failed + 1)); }
for source in tests/zmqapi/*.c; do
  [ -e "$source" ] || continue
  name="$(basename "$source" .c)"
  case "$name" in *"$filter"*) ;; *) continue ;; esac
  # The same source, two libraries.
  if ! cc "${cflags[@]}" -o "$work/$name.libzmq" "$source" -lzmq -lpthread 2>"$work/$name.cc-libzmq"; then
    fail "$name" "does not build against libzmq"; sed -n 1,20p "$work/$name.cc-libzmq"; continue
  fi
  # shellcheck disable=SC2086
  if ! cc "${cflags[@]}" -include zgss_zmq.h -o "$work/$name.zgss" "$source" $zgss_flags -lpthread 2>"$work/$name.cc-zgss"; then
    fail "$name" "does not build against zgss"; sed -n 1,20p "$work/$name.cc-zgss"; continue
  fi
  ok=1
  for lib in libzmq zgss; do
    timeout 120 "$work/$name.$lib" >"$work/$name.$lib.out" 2>"$work/$name.$lib.err"
    rc=$?
    if [ "$rc" -ne 0 ]; then
      ok=0; fail "$name" "the $lib build exited with $rc"
      tail -5 "$work/$name.$lib.err"
    fi
  done
  [ "$ok" = 1 ] || continue
  if [ ! -s "$work/$name.libzmq.out" ]; then
    fail "$name" "printed nothing: a test must show what it did"
  elif ! cmp -s "$work/$name.libzmq.out" "$work/$name.zgss.out"; then
    fail "$name" "zgss's output differs from libzmq's"
    diff "$work/$name.libzmq.out" "$work/$name.zgss.out" | head -20
  else
    echo "ok $name ($(wc -l <"$work/$name.libzmq.out") lines, the same with libzmq and zgss)"
    passed=$((passed + 1))
  fi
done

# Pairs: tests/zmqapi/pairs/NAME/{server,client}.c, each built against both
# libraries, run across them: a zgss server with a libzmq client and a
# libzmq server with a zgss client (and zgss with zgss). Each run must
# print what the all-libzmq run prints. The endpoint is argv[1].
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
run_pair() {  # NAME SERVER-LIB CLIENT-LIB OUT-PREFIX
  local endpoint server_rc client_rc
  endpoint="tcp://127.0.0.1:$(free_port)"
  timeout 120 "$work/$1-server.$2" "$endpoint" >"$4.server" 2>"$4.server-err" &
  local server=$!
  timeout 120 "$work/$1-client.$3" "$endpoint" >"$4.client" 2>"$4.client-err"
  client_rc=$?
  wait "$server"; server_rc=$?
  [ "$client_rc" -eq 0 ] && [ "$server_rc" -eq 0 ] && return 0
  echo "  server ($2) exit $server_rc, client ($3) exit $client_rc"
  tail -3 "$4.server-err" "$4.client-err"
  return 1
}
for dir in tests/zmqapi/pairs/*/; do
  [ -d "$dir" ] || continue
  name="$(basename "$dir")"
  case "$name" in *"$filter"*) ;; *) continue ;; esac
  built=1
  for half in server client; do
    cc "${cflags[@]}" -o "$work/$name-$half.libzmq" "$dir/$half.c" -lzmq -lpthread 2>"$work/$name-$half.cc" \
      || { fail "pair $name" "$half does not build against libzmq"; sed -n 1,10p "$work/$name-$half.cc"; built=0; }
    # shellcheck disable=SC2086
    cc "${cflags[@]}" -include zgss_zmq.h -o "$work/$name-$half.zgss" "$dir/$half.c" $zgss_flags -lpthread 2>"$work/$name-$half.cc" \
      || { fail "pair $name" "$half does not build against zgss"; sed -n 1,10p "$work/$name-$half.cc"; built=0; }
  done
  [ "$built" = 1 ] || continue
  if ! run_pair "$name" libzmq libzmq "$work/$name.ref"; then
    fail "pair $name" "the all-libzmq run failed: the test itself is broken"; continue
  fi
  for combo in "zgss zgss" "zgss libzmq" "libzmq zgss"; do
    set -- $combo
    label="pair $name: server($1) <- client($2)"
    if ! run_pair "$name" "$1" "$2" "$work/$name.$1-$2"; then
      fail "$label" "did not finish cleanly"
    elif ! cmp -s "$work/$name.ref.server" "$work/$name.$1-$2.server" || ! cmp -s "$work/$name.ref.client" "$work/$name.$1-$2.client"; then
      fail "$label" "output differs from the all-libzmq run"
      diff "$work/$name.ref.server" "$work/$name.$1-$2.server" | head -8
      diff "$work/$name.ref.client" "$work/$name.$1-$2.client" | head -8
    else
      echo "ok $label ($(cat "$work/$name.ref.server" "$work/$name.ref.client" | wc -l) lines, as with libzmq on both ends)"
      passed=$((passed + 1))
    fi
  done
done

echo "zmqapi: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
