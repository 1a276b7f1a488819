#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# libzmq programs, built twice from one source: once against stock libzmq
# 4.3.4 (-lzmq) and once against zgss (-include zgss_zmq.h, pkg-config
# zgss). Each tests/zmqapi/NAME.c is one test: both builds must compile,
# exit 0 within the deadline and print the same, non-empty output. The
# programs run inside a throwaway Kerberos realm (tools/testrealm.py) so
# that the ones which turn on GSSAPI find a KDC, a keytab and a ticket.
# tests/zmqapi/pairs/NAME/{server,client}.c run across the libraries: a
# zgss server with a stock libzmq client and the other way round (GSSAPI
# encrypted), each printing what the all-libzmq run prints.
# Last line: "zmqapi: N passed, M failed".
#   tools/test-zmqapi.sh [name-substring]
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
filter="${1:-}"
if [ "${ZGSS_LIB_BUILT:-}" != 1 ]; then
  tools/build-lib.sh >/dev/null || { echo "FAIL build: tools/build-lib.sh"; echo "zmqapi: 0 passed, 1 failed"; exit 1; }
fi
exec python3 tools/testrealm.py run -- bash tools/zmqapi/run-all.sh "$filter"
