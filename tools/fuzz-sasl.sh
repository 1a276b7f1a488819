#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Fuzzes SASLGSSAPI's pure parsers (offer/reply octets, principals, mapping
# rules) with libFuzzer + AddressSanitizer. The corpus in fuzz/sasl/corpus
# is the seed set; new inputs go to a scratch copy.
#   tools/fuzz-sasl.sh [SECONDS]      (default 60)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
src="$root/Sources/SASLGSSAPI"
out="$root/.build-fuzz"
mkdir -p "$out/corpus-sasl"
cp -n "$root"/fuzz/sasl/corpus/* "$out/corpus-sasl/" 2>/dev/null || true
swiftc -sanitize=fuzzer,address -parse-as-library -O "$root/fuzz/sasl/main.swift" \
  "$root/Sources/ZGSSBase/CodedError.swift" "$root/Sources/ZGSSBase/ZGSSError.swift" "$root/Sources/ZGSSBase/PrincipalName.swift" "$root/Sources/ZGSSBase/BigEndian.swift" "$src/SASLError.swift" "$src/SecurityLayer.swift" "$src/KerberosPrincipal.swift" "$src/SASLIdentity.swift" "$src/PrincipalMapper.swift" \
  -o "$out/fuzz-sasl" 2> >(grep -v "Cannot export local symbol" >&2)
"$out/fuzz-sasl" -max_total_time="${1:-60}" -timeout=10 "$out/corpus-sasl"
