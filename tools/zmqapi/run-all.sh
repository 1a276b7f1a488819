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
echo "zmqapi: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
