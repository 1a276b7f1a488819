#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# SASL GSSAPI / MQTT 5 tests of zgss, outside `swift test`:
#   1. the C ABI (tests/c/sasl_abi.c, also compiled as C++),
#   2. interop with Cyrus SASL 2.1.28 both ways (tests/interop/sasl),
#   3. the Mosquitto 2.0 plugin end to end (contrib/mosquitto, tests/mqtt).
# Installs nothing; assumes the Debian packages of DESIGN.md §5. Builds the
# release library into .dist with tools/build-lib.sh and runs every group
# inside a throwaway realm (tools/testrealm.py). Exits non-zero on failure;
# the last line is "mqtt: N passed, M failed".
#   tools/test-mqtt.sh            everything
#   tools/test-mqtt.sh --inside   (internal) the checks, already in a realm
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="${ZGSS_MQTT_WORK:-$root/.build-mqtt}"

if [ "${1:-}" != "--inside" ]; then
  set -e
  [ "${ZGSS_LIB_BUILT:-}" = 1 ] || "$root/tools/build-lib.sh" "$root/.dist" >/dev/null
  set +e
  mkdir -p "$work"
  rm -f "$work/summary"
  python3 "$root/tools/testrealm.py" run -- "$0" --inside
  rc=$?
  # The realm or the inner run died before printing its summary.
  [ -s "$work/summary" ] || { echo "mqtt: 0 passed, 1 failed"; exit 1; }
  exit $rc
fi

export PKG_CONFIG_PATH="$root/.dist/lib/pkgconfig"
export LD_LIBRARY_PATH="$root/.dist/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
passed=0
failed=0
: > "$work/summary"

pass() { passed=$((passed + 1)); echo "PASS $*"; }
fail() { failed=$((failed + 1)); echo "FAIL $*"; }

# Runs a program that prints "ok"/"not ok" lines (TAP-like) and counts them.
count_tap() {
  local name="$1"; shift
  local out rc
  out="$("$@" 2>&1)"; rc=$?
  local ok bad
  ok=$(printf '%s\n' "$out" | grep -c '^ok')
  bad=$(printf '%s\n' "$out" | grep -c '^not ok')
  printf '%s\n' "$out" | grep -E '^(not ok|#)' | sed "s|^|  [$name] |"
  passed=$((passed + ok)); failed=$((failed + bad))
  if [ $rc -ne 0 ] && [ "$bad" -eq 0 ]; then fail "$name exited $rc"; fi
}

cflags="$(pkg-config --cflags zgss)"
libs="$(pkg-config --libs zgss) -Wl,-rpath,$root/.dist/lib"

# ---- 1. C ABI ---------------------------------------------------------------
if cc -std=c99 -Wall -Wextra -Werror -o "$work/sasl_abi" "$root/tests/c/sasl_abi.c" $cflags $libs; then
  pass "C ABI test compiles as C99"
  count_tap sasl_abi "$work/sasl_abi"
else
  fail "C ABI test compiles as C99"
fi
# Kerberos failures reach the caller with Kerberos's own words (the texts
# EMQX's troubleshooting guide lists).
kt="$work/kerberos-errors"
rm -rf "$kt"; mkdir -p "$kt"
kadmin.local -q "addprinc -pw right-password +requires_preauth carol" >/dev/null 2>&1
printf 'addent -password -p carol@EXAMPLE.TEST -k 1 -e aes256-cts-hmac-sha1-96\nwrong-password\nwkt %s\nquit\n' "$kt/carol-wrong.keytab" | ktutil >/dev/null 2>&1
printf 'addent -password -p alice@NOWHERE.TEST -k 1 -e aes256-cts-hmac-sha1-96\nx\nwkt %s\nquit\n' "$kt/nowhere.keytab" | ktutil >/dev/null 2>&1
if [ -x "$work/sasl_abi" ]; then
  count_tap preauth "$work/sasl_abi" carol@EXAMPLE.TEST "$kt/carol-wrong.keytab" "Preauthentication failed"
  count_tap find-kdc "$work/sasl_abi" alice@NOWHERE.TEST "$kt/nowhere.keytab" 'Cannot find KDC for realm "NOWHERE.TEST"'
  count_tap contact-kdc "$work/sasl_abi" alice@DOWN.TEST "$ZGSS_TEST_DIR/down-client.keytab" "Cannot contact any KDC for realm 'DOWN.TEST'"
fi
if c++ -x c++ -std=c++11 -Wall -Werror -fsyntax-only $cflags "$root/tests/c/sasl_abi.c"; then
  pass "C ABI test compiles as C++"
else
  fail "C ABI test compiles as C++"
fi
# Exported symbols match the header.
missing="$(comm -23 <(grep -oE '\bzgss_(sasl|mqtt)_[a-z_]+\(' "$root/include/zgss.h" | tr -d '(' | sort -u) \
                    <(nm -D --defined-only "$root/.dist/lib/libzgss.so" | awk '{print $3}' | sed 's/@.*//' | sort -u))"
if [ -z "$missing" ]; then pass "every zgss_sasl_/zgss_mqtt_ function in zgss.h is exported"; else fail "not exported: $missing"; fi

# Further groups are appended below.
for group in "$root"/tests/interop/sasl/run.sh "$root"/tests/mqtt/run.sh; do
  [ -x "$group" ] || continue
  # shellcheck source=/dev/null
  . "$group"
done

echo "mqtt: $passed passed, $failed failed" | tee "$work/summary"
[ "$failed" -eq 0 ]
