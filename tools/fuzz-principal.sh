#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Fuzzes the peer-controlled name path of SASLGSSAPI (principal text parser,
# principal -> username mapping, Cyrus identity) with libFuzzer +
# AddressSanitizer, differentially against MIT krb5's krb5_parse_name and
# krb5_unparse_name (linked from libkrb5). fuzz/principal/corpus is the seed
# set; new inputs go to a scratch copy in .build-fuzz/.
#   tools/fuzz-principal.sh [SECONDS]      (default 60)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
src="$root/Sources/SASLGSSAPI"
out="$root/.build-fuzz"
mkdir -p "$out/corpus-principal" "$out/artifacts"
cp -n "$root"/fuzz/principal/corpus/* "$out/corpus-principal/" 2>/dev/null || true
# Without this a Swift trap starts swift-backtrace, which outlives the fuzzer.
export SWIFT_BACKTRACE=${SWIFT_BACKTRACE:-enable=no}
swiftc -sanitize=fuzzer,address -parse-as-library -O -I "$root/Sources/CGSSAPI" \
  "$root/fuzz/principal/main.swift" \
  "$root/Sources/ZGSSBase/CodedError.swift" "$root/Sources/ZGSSBase/ZGSSError.swift" "$root/Sources/ZGSSBase/PrincipalName.swift" "$src/SASLError.swift" \
  "$src/KerberosPrincipal.swift" "$src/SASLIdentity.swift" "$src/PrincipalMapper.swift" \
  -o "$out/fuzz-principal" 2> >(grep -v "Cannot export local symbol" >&2)
"$out/fuzz-principal" -max_total_time="${1:-60}" -timeout=10 -artifact_prefix="$out/artifacts/principal-" \
  "$out/corpus-principal" "$root/fuzz/principal/corpus"
