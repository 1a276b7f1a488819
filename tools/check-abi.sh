#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Checks the installed libzgss.so against the public headers:
#  - it has a SONAME and exports zgss_* functions only;
#  - every function the headers declare is exported, and nothing else is;
#  - the headers compile as C99 and as C++ next to zmq.h, warning-free.
#   tools/check-abi.sh [PREFIX]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
prefix="${1:-$root/.dist}"
lib="$prefix/lib/libzgss.so"
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
fail=0 pass=0
ok() { pass=$((pass + 1)); }

soname="$(readelf -d "$lib" | sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p')"
if [ "$soname" = "libzgss.so.0" ]; then ok; else echo "check-abi: SONAME is '$soname', want libzgss.so.0"; fail=$((fail + 1)); fi

nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBRVW]$/ {print $3}' | sed 's/@.*//' | grep -v '^ZGSS_0$' | sort -u > "$tmp/exported"
grep -v '^zgss_' "$tmp/exported" > "$tmp/foreign" || true
if [ -s "$tmp/foreign" ]; then echo "check-abi: non-zgss symbols exported:"; cat "$tmp/foreign"; fail=$((fail + 1)); else ok; fi

# zgss_zmq.h maps zmq_* names with macros and a few static inline helpers;
# only real (extern) declarations count.
grep -hoE 'static inline [^(]*\bzgss_[a-z0-9_]+ *\(' "$prefix"/include/zgss*.h \
  | grep -oE 'zgss_[a-z0-9_]+' | sort -u > "$tmp/inline"
cat "$prefix"/include/zgss*.h | tr '\n' ' ' | grep -oE '\bzgss_[a-z0-9_]+ *\(' | sed 's/ *($//' | sort -u \
  | comm -23 - "$tmp/inline" > "$tmp/declared"
comm -23 "$tmp/declared" "$tmp/exported" > "$tmp/missing"
comm -13 "$tmp/declared" "$tmp/exported" > "$tmp/undocumented"
if [ -s "$tmp/missing" ]; then echo "check-abi: declared but not exported:"; cat "$tmp/missing"; fail=$((fail + 1)); else ok; fi
if [ -s "$tmp/undocumented" ]; then echo "check-abi: exported but not declared:"; cat "$tmp/undocumented"; fail=$((fail + 1)); else ok; fi

cc -std=c99 -Wall -Wextra -Werror -pedantic -fsyntax-only -x c - $(pkg-config --cflags zgss) <<<'#include <zmq.h>
#include <zgss.h>
int main(void) { return 0; }' && ok || { echo "check-abi: zgss.h fails as C99"; fail=$((fail + 1)); }
c++ -std=c++11 -Wall -Wextra -Werror -o "$tmp/smoke" "$root/tests/c/header_smoke.cpp" \
  $(pkg-config --cflags --libs zgss) -Wl,-rpath,"$prefix/lib" \
  && "$tmp/smoke" >/dev/null && ok || { echo "check-abi: C++ smoke program failed"; fail=$((fail + 1)); }

# The header is the one source of zgss's numbers: its zmq.h constants
# against the system's zmq.h and errno.h, and the Python binding's copies
# against it (tools/check-constants.py; Swift's are checked by swift test).
if python3 "$root/tools/check-constants.py" > "$tmp/constants" 2>&1; then ok; else
  grep -v '^constants: ' "$tmp/constants"; fail=$((fail + 1)); fi
grep '^constants: ' "$tmp/constants" | sed 's/^/check-abi: /'

n="$(wc -l < "$tmp/exported")"
if [ "$fail" -eq 0 ]; then echo "check-abi: $n exported functions match the headers; SONAME $soname"; fi
echo "check-abi: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
