#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The transport's per-message paths without run-time exclusivity checks.
# Swift checks an access to a class's stored property at run time unless
# it proves, when compiling, that no access to that property overlaps
# another; those checks once took a fifth of the CPU per small message
# (README, issue 16). This compiles ZMTPTransport to optimised SIL as the
# release build does and counts one test per property the message paths
# touch: it passes when no access to the property is left to run time.
# tools/dynamic_accesses.py FILE.sil prints the whole table.
#   tools/test-exclusivity.sh        (uses .build-release; builds it unless
#                                     ZGSS_LIB_BUILT=1)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
if [ -z "${ZGSS_LIB_BUILT:-}" ]; then
  tools/build-lib.sh >/dev/null 2>&1 || { echo "exclusivity: 0 passed, 1 failed (tools/build-lib.sh)"; exit 1; }
fi
modules="$(swift build --scratch-path .build-release -c release --show-bin-path)/Modules"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
mapfiles=()
for map in Sources/*/module.modulemap; do mapfiles+=(-Xcc "-fmodule-map-file=$root/$map"); done
if ! swiftc -module-name ZMTPTransport -package-name main -swift-version 6 -parse-as-library \
     -whole-module-optimization -O -g -DSWIFT_PACKAGE -I "$modules" "${mapfiles[@]}" \
     -module-cache-path "$tmp/cache" -emit-sil -o "$tmp/ZMTPTransport.sil" \
     Sources/ZMTPTransport/*.swift > "$tmp/swiftc.out" 2>&1; then
  tail -20 "$tmp/swiftc.out"
  echo "exclusivity: 0 passed, 1 failed (swiftc -emit-sil)"
  exit 1
fi
# What a message touches on its way: zgss_send's direct paths and the
# outbox, the output buffer, the I/O thread's read, decode and publish,
# and zgss_recv.
hot=(
  OutputBuffer.tail OutputBuffer.head OutputBuffer.queued OutputBuffer.spare OutputBuffer.headBytes
  OutputBuffer.headOffset OutputBuffer.queuedBytes OutputBuffer.writing OutputBuffer.closed OutputBuffer.failure
  Connection.decoder Connection.partial Connection.sealed Connection.mechanism Connection.phase
  Connection.routedUnsent Connection.subscriptions Connection.publishedSubscriptions ZSocket.applicationReadBuffer
  SocketState.inbox SocketState.outbox SocketState.options SocketState.peers SocketState.peerCursor
  SocketState.peerSubscriptions SocketState.terminated SocketState.inboxTaken SocketState.readingPaused
  SocketState.applicationReadQueued
  ZSocket.sendParts ZSocket.receiveParts ZSocket.receiveMore ZSocket.receiveMetadata
  IOLoop.incoming IOLoop.eventBuffer IOLoop.readBuffer IOLoop.order IOLoop.queuedForApplication
)
rc=0
python3 tools/dynamic_accesses.py "$tmp/ZMTPTransport.sil" --hot "${hot[@]}" > "$tmp/report" || rc=$?
grep -E "^(FAIL|exclusivity:)" "$tmp/report"
exit "$rc"
