#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The libzmq drop-in: Debian 12's zeromq3 (libzmq 4.3.4) built through its own
# packaging with zgss as its GSSAPI mechanism (contrib/libzmq/debian-route.sh,
# cached in .build-libzmq/route), then checked:
#   - against Debian's libzmq5 (contrib/libzmq/debian-route-check.sh):
#     exported symbols, abidiff, SONAME/NEEDED/RUNPATH, ldd, zmq_has, CURVE
#     and ws:// pairs, static linking through libzmq.pc;
#   - in a throwaway Kerberos realm: libzmq's own `make check` (only tipc
#     and fuzzer tests may skip, none may fail, test_security_gssapi must
#     really run: "0 Ignored"), test_security_gssapi once more on the
#     packaged library, interop with Debian's stock libzmq in both
#     directions (REQ/REP, DEALER/ROUTER; encrypted and plaintext; XPUB/SUB;
#     ZAP allow/deny; fast failure; heartbeats), Debian's python3-zmq on
#     the rebuilt library (CURVE; GSSAPI with stock in both directions), and
#     a GSSAPI SUB getting messages again after its PUB restarts.
#
#   tools/test-libzmq-dropin.sh
#
# Needs: tools/setup.sh (deb-src lines, zeromq3's Build-Depends,
# abigail-tools, libzmq3-dev and python3-zmq as stock peers), zgss through
# pkg-config or in .dist (tools/build-lib.sh), the MIT KDC tools.
# Last line: "libzmq-dropin: N passed, M failed"; exit status 0 only when
# M is 0.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cache="$root/.build-libzmq"
route="$cache/route"
# one clock for the whole stage, the realm part included
export ZGSS_DROPIN_T0="${ZGSS_DROPIN_T0:-$(date +%s)}"
t_start=$ZGSS_DROPIN_T0
progress() { echo "libzmq-dropin: $(date +%T) (+$(( $(date +%s) - t_start ))s) $*"; }

# ---- inside the realm (re-invoked through tools/testrealm.py) ---------------------
if [ "${1:-}" = "--inside-realm" ]; then
  passed=0 failed=0
  ok() { echo "PASS: $*"; passed=$((passed + 1)); }
  bad() { echo "FAIL: $*"; failed=$((failed + 1)); }
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  tree="$(find "$route" -mindepth 1 -maxdepth 1 -type d -name 'zeromq3-*' | head -1)"
  # the library as the libzmq5 package installs it, and zgss
  libdir="$(dirname "$(find "$tree/debian/libzmq5" -name 'libzmq.so.5' | head -1)")"
  zgsslib="$(pkg-config --variable=libdir zgss)"

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

  # true once process $1 has ended, false after $2 seconds if it has not
  wait_a_while() {
    local i
    for ((i = 0; i < $2; i++)); do kill -0 "$1" 2>/dev/null || return 0; sleep 1; done
    return 1
  }

  # 1. libzmq's own test suite (compiled against the rebuilt tree), with
  # the zmqtest2 keytab so that test_security_gssapi runs rather than
  # ignoring itself. Only tipc (no tipc module here) and the fuzzer
  # programs (built for libFuzzer only) may skip.
  progress "make check (libzmq's own tests; compiled on a cold run)"
  t0=$(date +%s)
  # Compile in parallel, run one test at a time (timing-sensitive tests);
  # a line every 30 s on how far each has got.
  # In a subshell: into the tree, with what its tests need (zgss's library
  # directory, the zmqtest2 keytab for both roles).
  enter_check_env() {
    cd "$tree" && export PATH="/usr/sbin:/usr/bin:/sbin:/bin:$PATH" LD_LIBRARY_PATH="$zgsslib" \
      KRB5_KTNAME="FILE:$both" KRB5_CLIENT_KTNAME="FILE:$both"
  }
  (enter_check_env || exit 1
   make -j"$(nproc)" check TESTS= >"$work/check-build.log" 2>&1 & job=$!
   while ! wait_a_while $job 30; do
     progress "  compiling tests: $(grep -cE '^libtool: link: .*-o tests/' "$work/check-build.log") test programs linked"
   done
   wait $job || exit 1
   progress "tests compiled, running them"
   make -j1 check >"$work/check.log" 2>&1 & job=$!
   while ! wait_a_while $job 30; do
     progress "  $(grep -cE '^(PASS|FAIL|SKIP|ERROR): ' "$work/check.log") tests done"
   done
   wait $job)
  rc=$?
  [ -s "$work/check.log" ] || tail -30 "$work/check-build.log" | sed 's/^/  | /'
  results="$(grep -E '^(PASS|FAIL|SKIP|XFAIL|XPASS|ERROR): ' "$work/check.log")"
  n_pass=$(grep -c '^PASS: ' <<<"$results"); n_fail=$(grep -cE '^(FAIL|XPASS|ERROR): ' <<<"$results")
  skips="$(sed -n 's/^SKIP: //p' <<<"$results" | sort | xargs)"
  bad_skips="$(sed -n 's/^SKIP: //p' <<<"$results" | grep -vE '^tests/test_[a-z_]*tipc[a-z_]*$|^tests/test_.*_fuzzer$' | xargs)"
  progress "make check: exit $rc in $(( $(date +%s) - t0 ))s, $n_pass PASS, $n_fail FAIL, skipped: $skips"
  grep -E '^(FAIL|ERROR|XPASS): ' <<<"$results" | sed 's/^/  | /'
  # libzmq's own tests that fail now and then on a slow or loaded machine,
  # upstream and with stock libzmq alike: test_security_zap and
  # test_security_curve (libzmq issue #2733, open: under load the server
  # sees EPIPE or ECONNABORTED instead of the ZAP failure the test waits
  # for, then hangs until its alarm). They exercise NULL, PLAIN and CURVE
  # with ZAP, none of which zgss replaces. Such a test that failed runs
  # once more on its own; both outcomes are printed, and a second failure
  # fails the stage. Every other failure (test_security_gssapi above all)
  # fails it at once.
  upstream_flaky='^tests/test_security_(zap|curve)$'
  failed_tests="$(sed -n -E 's/^(FAIL|ERROR): //p' <<<"$results" | xargs)"
  reran=""
  if [ $rc -ne 0 ] && [ -n "$failed_tests" ] && [ "$(grep -c '^XPASS: ' <<<"$results")" = 0 ] \
     && ! tr ' ' '\n' <<<"$failed_tests" | grep -qvE "$upstream_flaky"; then
    rerun_ok=1
    for t in $failed_tests; do
      progress "rerunning $t once (known upstream flake, libzmq #2733): its log said $(grep -v 'Still waiting' "$tree/$t.log" 2>/dev/null | tail -2 | tr -s '\n' ' ')"
      if (enter_check_env && make -j1 check TESTS="$t" >"$work/rerun.log" 2>&1) &&
         grep -q "^PASS: $t\$" "$work/rerun.log"; then
        progress "  $t passed on its rerun"
        reran+="${reran:+, }$t"
      else
        progress "  $t failed again"
        grep -E '^(PASS|FAIL|ERROR): ' "$work/rerun.log" | sed 's/^/  | /'
        rerun_ok=0
      fi
    done
    if [ $rerun_ok -eq 1 ]; then
      rc=0
      n_pass=$((n_pass + n_fail)); n_fail=0
    fi
  fi
  if [ $rc -eq 0 ] && [ "$n_fail" = 0 ] && [ "$n_pass" -ge 90 ] && [ -z "$bad_skips" ] \
     && [ "$(grep -c '^SKIP: ' <<<"$results")" -ge 1 ]; then
    ok "make check: $n_pass PASS, 0 FAIL, skips only tipc and fuzzers ($(grep -c '^SKIP: ' <<<"$results"))${reran:+; failed once and passed on a rerun: $reran (upstream flake, libzmq #2733)}"
  else
    bad "make check: exit $rc, $n_pass PASS, $n_fail FAIL, other skips: ${bad_skips:-none}"
    tail -30 "$work/check.log" | sed 's/^/  | /'
  fi
  tsg_summary="$(grep -E '^[0-9]+ Tests [0-9]+ Failures [0-9]+ Ignored' "$tree/tests/test_security_gssapi.log" 2>/dev/null | tail -1)"
  if [ "$tsg_summary" = "5 Tests 0 Failures 0 Ignored " ]; then
    ok "make check's test_security_gssapi really ran: $tsg_summary"
  else
    bad "make check's test_security_gssapi: '${tsg_summary:-no log}' (want 5 Tests 0 Failures 0 Ignored)"
  fi

  # 2. libzmq's own GSSAPI test once more, on the packaged (stripped)
  # library, Unity output checked. The test sets KRB5CCNAME=MEMORY, which
  # MIT reads as a FILE cache named "MEMORY" in the current directory: run
  # it in the scratch directory so no ticket from an earlier realm is reused.
  log="$work/gssapi-test.log"
  (cd "$work" && LD_LIBRARY_PATH="$libdir:$zgsslib" KRB5_KTNAME="FILE:$both" KRB5_CLIENT_KTNAME="FILE:$both" \
    timeout 150 "$tree/tests/.libs/test_security_gssapi") >"$log" 2>&1
  rc=$?
  sed 's/^/  | /' "$log"
  summary="$(grep -E '^[0-9]+ Tests [0-9]+ Failures [0-9]+ Ignored' "$log" | tail -1)"
  if [ $rc -eq 0 ] && [ "$summary" = "5 Tests 0 Failures 0 Ignored " ] && grep -q '^OK' "$log" \
     && [ "$(grep -c ':PASS$' "$log")" = 5 ]; then
    ok "test_security_gssapi: $summary(5 PASS lines)"
  else
    bad "test_security_gssapi: exit $rc, summary '${summary:-none}'"
  fi

  # 3. interop: stock libzmq <-> rebuilt libzmq, one peer binary, two libraries.
  progress "interop with stock libzmq"
  peer="$work/peer"
  if ! gcc -O1 -o "$peer" "$root/tools/libzmq-dropin/peer.c" -lzmq -lpthread; then
    bad "cannot build the interop peer against stock libzmq"
    echo "libzmq-dropin-inside: $passed $failed"; exit 0
  fi
  stock() { env -u LD_LIBRARY_PATH "$@"; }
  rebuilt() { env LD_LIBRARY_PATH="$libdir:$zgsslib" "$@"; }
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

  # 4. Debian's python3-zmq on the rebuilt library: CURVE, and GSSAPI
  # REQ/REP with stock libzmq in both directions.
  progress "python3-zmq"
  if rebuilt /usr/bin/python3 "$root/tools/libzmq-dropin/pyzmq-check.py" 2>&1 | sed 's/^/  | /'; then
    ok "python3-zmq on the rebuilt libzmq: libzgss loaded, CURVE REQ/REP"
  else
    bad "python3-zmq on the rebuilt libzmq (CURVE REQ/REP)"
  fi
  py_pair() { # server-lib client-lib
    local sl="$1" cl="$2" ep="$work/pyep.$RANDOM" skt="$KRB5_CLIENT_KTNAME"
    [ "$sl" = stock ] && skt="$KRB5_KTNAME"
    KRB5CCNAME="FILE:$work/pycc.server" KRB5_CLIENT_KTNAME="$skt" \
      $sl timeout 40 /usr/bin/python3 "$root/tools/libzmq-dropin/pyzmq-gssapi.py" server "$ep" "$sl" >"$work/py.s" 2>&1 &
    local sp=$!
    KRB5CCNAME="FILE:$work/pycc.client" \
      $cl timeout 40 /usr/bin/python3 "$root/tools/libzmq-dropin/pyzmq-gssapi.py" client "$ep" "$cl" >"$work/py.c" 2>&1
    local cr=$?
    wait $sp; local sr=$?
    cat "$work/py.s" "$work/py.c" | tail -4 | sed 's/^/  | /'
    rm -f "$work"/pycc.*
    if [ $sr -eq 0 ] && [ $cr -eq 0 ]; then ok "python3-zmq GSSAPI: $sl server <- $cl client"
    else bad "python3-zmq GSSAPI: $sl server <- $cl client (server exit $sr, client exit $cr)"; fi
  }
  py_pair rebuilt stock; py_pair stock rebuilt; py_pair rebuilt rebuilt

  # 5. A GSSAPI SUB gets messages again after its PUB restarts (issue 15:
  # upstream master's test_pubsub_subscription_after_reconnect). Publishing
  # until the SUB receives: the rebuilt library must pass, encrypted and
  # plaintext. Upstream's own timing (wait 1 s, send once, no call on the
  # SUB meanwhile) loses that message on every libzmq 4.3.4, even stock
  # with no security mechanism: the SUB resends its subscriptions only
  # when the application next calls into it. That run is a comparison:
  # the rebuilt GSSAPI pair must behave as stock NULL does.
  progress "PUB restart"
  psr="$work/pubsub-restart"
  if gcc -O1 -o "$psr" "$root/tools/libzmq-dropin/pubsub-restart.c" -lzmq; then
    for mode in crypt plain; do
      if KRB5CCNAME="FILE:$work/cc.psr" rebuilt timeout 60 "$psr" "$mode" >"$work/psr.log" 2>&1; then
        ok "GSSAPI SUB receives again after its PUB restarts (rebuilt, $mode)"
      else
        bad "GSSAPI SUB after its PUB restarts (rebuilt, $mode)"
      fi
      sed 's/^/  | /' "$work/psr.log"; rm -f "$work/cc.psr"
    done
    stock timeout 60 "$psr" null oneshot >"$work/psr.stock" 2>&1; stock_rc=$?
    KRB5CCNAME="FILE:$work/cc.psr" rebuilt timeout 60 "$psr" crypt oneshot >"$work/psr.rebuilt" 2>&1; rebuilt_rc=$?
    sed 's/^/  | /' "$work/psr.stock" "$work/psr.rebuilt" | grep -v 'libzmq 4'
    if [ $stock_rc = $rebuilt_rc ] && [ $stock_rc -le 1 ]; then
      ok "upstream's PUB-restart timing: rebuilt GSSAPI as stock NULL (exit $rebuilt_rc, $([ $rebuilt_rc = 0 ] && echo received || echo "message lost on both"))"
    else
      bad "upstream's PUB-restart timing: rebuilt GSSAPI exit $rebuilt_rc, stock NULL exit $stock_rc"
    fi
  else
    bad "cannot build pubsub-restart.c"
  fi
  echo "libzmq-dropin-inside: $passed $failed"
  exit 0
fi

# ---- outside: build, link check, then the realm part ------------------------------
passed=0 failed=0
ok() { echo "PASS: $*"; passed=$((passed + 1)); }
bad() { echo "FAIL: $*"; failed=$((failed + 1)); }
finish() { progress "done"; echo "libzmq-dropin: $passed passed, $failed failed"; [ "$failed" -eq 0 ]; exit $?; }

mkdir -p "$cache"
# zgss: installed (pkg-config), else .dist (tools/build-lib.sh)
if ! pkg-config --exists zgss 2>/dev/null; then
  [ -e "$root/.dist/lib/pkgconfig/zgss.pc" ] || "$root/tools/build-lib.sh" >/dev/null
  export PKG_CONFIG_PATH="$root/.dist/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
fi
for tool in dpkg-buildpackage dh_autoreconf abidiff xmlto asciidoc kadmin.local; do
  command -v "$tool" >/dev/null || { bad "missing $tool: run tools/setup.sh"; finish; }
done

# The build is a step, not a test: it is not counted, and a failure ends the suite.
progress "build: contrib/libzmq/debian-route.sh $route"
if "$root/contrib/libzmq/debian-route.sh" "$route"; then
  progress "build done"
else
  bad "contrib/libzmq/debian-route.sh failed"
  finish
fi

check_out="$(mktemp)"
bash "$root/contrib/libzmq/debian-route-check.sh" "$route" 2>&1 | tee "$check_out"
counts="$(sed -n 's/^debian-route-check: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' "$check_out" | tail -1)"
rm -f "$check_out"
if [ -n "$counts" ]; then
  set -- $counts
  passed=$((passed + $1)); failed=$((failed + $2))
else
  bad "contrib/libzmq/debian-route-check.sh did not complete"
fi

inside="$(mktemp)"
progress "realm part"
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
