#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# libzmq 4.3.4 rebuilt with zgss as its GSSAPI mechanism (contrib/libzmq):
# builds it (cached in .build-libzmq/), checks it links libzgss, runs
# libzmq's own tests/test_security_gssapi.cpp against it in a throwaway
# Kerberos realm (all 5 Unity tests must pass: none failed or ignored), and
# runs interop exchanges between the rebuilt and Debian's stock libzmq in both
# directions (REQ/REP, DEALER/ROUTER; encrypted and plaintext; XPUB/SUB
# encrypted) plus ZAP on a
# rebuilt server (principal handed over; a denial sends ERROR "400" and the
# refused client, stock or rebuilt, stops reconnecting).
#
#   tools/test-libzmq-dropin.sh
#
# Needs: what contrib/libzmq/build.sh needs, libzmq3-dev (stock libzmq for
# the interop peer), gcc, the MIT KDC tools (tools/testrealm.py).
# Last line: "libzmq-dropin: N passed, M failed"; exit status 0 only when
# M is 0.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cache="$root/.build-libzmq"
out="$cache/out"

# ---- inside the realm (re-invoked through tools/testrealm.py) ---------------------
if [ "${1:-}" = "--inside-realm" ]; then
  passed=0 failed=0
  ok() { echo "PASS: $*"; passed=$((passed + 1)); }
  bad() { echo "FAIL: $*"; failed=$((failed + 1)); }
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT

  # libzmq's test uses the hostbased name "zmqtest2" for both roles, which
  # MIT turns into zmqtest2/<gethostname()>: make sure that principal exists
  # and put every zmqtest2 key into one keytab for both variables.
  host="$(hostname | tr 'A-Z' 'a-z')"
  both="$work/zmqtest2.keytab"
  kadmin.local -q "addprinc -randkey zmqtest2/$host" >/dev/null 2>&1 || true
  for p in $(kadmin.local -q listprincs 2>/dev/null | grep '^zmqtest2/'); do
    kadmin.local -q "ktadd -k $both -norandkey $p" >/dev/null 2>&1
  done
  if klist -k "$both" 2>/dev/null | grep "zmqtest2/$host@" >/dev/null; then
    ok "keytab with zmqtest2/$host for libzmq's test"
  else
    bad "could not make a keytab holding zmqtest2/$host"
  fi

  # 1. libzmq's own GSSAPI test, Unity output checked.
  # The test sets KRB5CCNAME=MEMORY, which MIT reads as a FILE cache named
  # "MEMORY" in the current directory: run it in the scratch directory so
  # no ticket from an earlier realm is reused.
  log="$work/gssapi-test.log"
  (cd "$work" && KRB5_KTNAME="FILE:$both" KRB5_CLIENT_KTNAME="FILE:$both" \
    timeout 150 "$out/bin/test_security_gssapi") >"$log" 2>&1
  rc=$?
  sed 's/^/  | /' "$log"
  summary="$(grep -E '^[0-9]+ Tests [0-9]+ Failures [0-9]+ Ignored' "$log" | tail -1)"
  if [ $rc -eq 0 ] && [ "$summary" = "5 Tests 0 Failures 0 Ignored " ] && grep -q '^OK' "$log" \
     && [ "$(grep -c ':PASS$' "$log")" = 5 ]; then
    ok "test_security_gssapi: $summary(5 PASS lines)"
  else
    bad "test_security_gssapi: exit $rc, summary '${summary:-none}'"
  fi

  # 2. interop: stock libzmq <-> rebuilt libzmq, one peer binary, two libraries.
  peer="$work/peer"
  if ! gcc -O1 -o "$peer" "$root/tools/libzmq-dropin/peer.c" -lzmq -lpthread; then
    bad "cannot build the interop peer against stock libzmq"
    echo "libzmq-dropin-inside: $passed $failed"; exit 0
  fi
  stock() { env -u LD_LIBRARY_PATH "$@"; }
  rebuilt() { env LD_LIBRARY_PATH="$out/lib" "$@"; }
  run_pair() { # name server-lib server-type client-lib client-type mode zap expect-client
    local name="$1" slib="$2" stype="$3" clib="$4" ctype="$5" mode="$6" zap="$7" expect="$8"
    local ep="$work/ep.$RANDOM" slog="$work/s.log" clog="$work/c.log"
    rm -f "$ep" "$work"/cc.*
    # Each process gets its own credential cache, as on two hosts. A stock
    # server with ZMQ_GSSAPI_PRINCIPAL acquires initiate+accept credentials
    # (4.3.4 defect), so it needs its service key as a client key too; the
    # rebuilt server runs with the client keytab of alice, bob and mallory.
    local sktc="$KRB5_CLIENT_KTNAME"
    [ "$slib" = stock ] && sktc="$KRB5_KTNAME"
    KRB5CCNAME="FILE:$work/cc.server" KRB5_CLIENT_KTNAME="$sktc" \
      $slib "$peer" server "$stype" "$ep" "$mode" "$zap" >"$slog" 2>&1 &
    local spid=$!
    KRB5CCNAME="FILE:$work/cc.client" $clib "$peer" client "$ctype" "$ep" "$mode" >"$clog" 2>&1
    local crc=$?
    wait $spid
    local src=$?
    sed 's/^/  | /' "$slog" "$clog" | sort -u | head -8
    local client_as_expected=0
    # "stopped": the client checked (PEER_REFUSED) that the refusal stopped it.
    if [ "$expect" = ok ] || [ "$expect" = stopped ]; then [ $crc -eq 0 ] && client_as_expected=1
    else [ $crc -ne 0 ] && client_as_expected=1; fi
    if [ $src -eq 0 ] && [ $client_as_expected = 1 ]; then
      ok "$name"
    else
      bad "$name (server exit $src, client exit $crc, expected client $expect)"
    fi
  }
  for mode in crypt plain; do
    for pair in "rep req" "router dealer"; do
      set -- $pair
      run_pair "rebuilt $1 <- stock $2 ($mode)" rebuilt "$1" stock "$2" "$mode" none ok
      run_pair "stock $1 <- rebuilt $2 ($mode)" stock "$1" rebuilt "$2" "$mode" none ok
    done
  done
  run_pair "rebuilt xpub <- stock sub (crypt, bare-topic subscription)" rebuilt xpub stock sub crypt none ok
  run_pair "stock xpub <- rebuilt sub (crypt, \\1topic subscription)" stock xpub rebuilt sub crypt none ok
  run_pair "rebuilt xpub <- rebuilt sub (crypt)" rebuilt xpub rebuilt sub crypt none ok
  run_pair "rebuilt router + ZAP allow <- stock dealer (crypt)" rebuilt router stock dealer crypt allow ok
  run_pair "rebuilt rep + ZAP allow <- rebuilt req (plain)" rebuilt rep rebuilt req plain allow ok
  # A ZAP denial sends ERROR "400": the client stops reconnecting (it
  # looped at ~6 handshakes a second before) and its monitor says why.
  PEER_REFUSED=1 run_pair "rebuilt rep + ZAP deny: ERROR 400 stops stock req (crypt)" rebuilt rep stock req crypt deny stopped
  PEER_REFUSED=1 run_pair "rebuilt router + ZAP deny: ERROR 400 stops rebuilt dealer (crypt, FAILED_AUTH 400)" rebuilt router rebuilt dealer crypt deny stopped
  PEER_REFUSED=1 run_pair "rebuilt rep + ZAP deny: ERROR 400 stops rebuilt req (plain, FAILED_AUTH 400)" rebuilt rep rebuilt req plain deny stopped
  # A client that cannot authenticate tells the server (ZMTP ERROR): the
  # server sees HANDSHAKE_FAILED_PROTOCOL within seconds, not after 30 s.
  PEER_SERVICE=nosuch@localhost run_pair "rebuilt client with unknown service fails fast at rebuilt rep" rebuilt rep rebuilt req crypt fail refused
  PEER_SERVICE=nosuch@localhost run_pair "rebuilt client with unknown service fails fast at stock rep" stock rep rebuilt req crypt fail refused
  # Wrapped heartbeats (PING/PONG inside MESSAGE) both ways.
  PEER_HEARTBEAT=1 run_pair "heartbeats: rebuilt router <- stock dealer (crypt)" rebuilt router stock dealer crypt none ok
  PEER_HEARTBEAT=1 run_pair "heartbeats: stock router <- rebuilt dealer (crypt)" stock router rebuilt dealer crypt none ok
  echo "libzmq-dropin-inside: $passed $failed"
  exit 0
fi

# ---- outside: build, link check, then the realm part ------------------------------
passed=0 failed=0
ok() { echo "PASS: $*"; passed=$((passed + 1)); }
bad() { echo "FAIL: $*"; failed=$((failed + 1)); }
finish() { echo "libzmq-dropin: $passed passed, $failed failed"; [ "$failed" -eq 0 ]; exit $?; }

mkdir -p "$cache"
start=$(date +%s)
# The build is a step, not a test: it is not counted, and a failure ends the suite.
if "$root/contrib/libzmq/build.sh" "$out"; then
  echo "built: contrib/libzmq/build.sh $out ($(( $(date +%s) - start ))s)"
else
  bad "contrib/libzmq/build.sh failed"
  finish
fi

# (no `ldd | grep -q`: with pipefail, grep quitting early fails the pipe)
ldd_out="$(ldd "$out/lib/libzmq.so" 2>&1)"
if grep 'libzgss\.so\.0 => /' <<<"$ldd_out" >/dev/null; then
  ok "ldd libzmq.so names libzgss: $(grep libzgss <<<"$ldd_out" | xargs)"
else
  bad "libzmq.so does not link libzgss"
fi
if readelf -d "$out/lib/libzmq.so" | grep 'SONAME.*libzmq\.so\.5' >/dev/null; then
  ok "SONAME libzmq.so.5 (drop-in for Debian's libzmq5)"
else
  bad "SONAME is not libzmq.so.5"
fi

inside="$(mktemp)"
python3 "$root/tools/testrealm.py" run -- bash "$0" --inside-realm 2>&1 | tee "$inside"
counts="$(grep '^libzmq-dropin-inside: ' "$inside" | tail -1)"
rm -f "$inside"
if [ -n "$counts" ]; then
  set -- ${counts#libzmq-dropin-inside: }
  passed=$((passed + $1)); failed=$((failed + $2))
else
  bad "realm part did not complete"
fi
finish
