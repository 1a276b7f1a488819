#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Compares a libzmq built by contrib/libzmq/debian-route.sh with Debian 12's
# stock libzmq5: exported symbols, abidiff, SONAME/NEEDED/RUNPATH, ldd,
# features (zmq_has, CURVE pair, ws:// pair: tools/libzmq-dropin/features.c)
# and a program linked statically to its libzmq.a through its libzmq.pc.
# zgss is found with pkg-config (PKG_CONFIG_PATH).
#
#   contrib/libzmq/debian-route-check.sh WORKDIR
#
# Prints PASS:/FAIL: lines and "debian-route-check: N passed, M failed".
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="$(cd "$1" && pwd)"
src="$(dirname "$(dirname "$(find "$work" -mindepth 3 -maxdepth 3 -type d -path "*/debian/libzmq5" | head -1)")")"
stock=/usr/lib/x86_64-linux-gnu/libzmq.so.5
# the library as the libzmq5 package installs it (stripped)
lib="$(find "$src/debian/libzmq5" -name 'libzmq.so.5.*' -type f | head -1)"
passed=0 failed=0
ok() { echo "PASS: $*"; passed=$((passed + 1)); }
bad() { echo "FAIL: $*"; failed=$((failed + 1)); }
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT

[ -n "$lib" ] || { bad "no libzmq.so.5.* under $src/debian/libzmq5"; echo "debian-route-check: $passed passed, $failed failed"; exit 1; }
echo "library: $lib"

nm -D --defined-only "$stock" | awk '{print $3}' | sort > "$tmp/stock.syms"
nm -D --defined-only "$lib" | awk '{print $3}' | sort > "$tmp/new.syms"
if diff "$tmp/stock.syms" "$tmp/new.syms" > "$tmp/syms.diff"; then
  ok "exported symbols equal Debian's libzmq5 ($(wc -l < "$tmp/new.syms"))"
else
  bad "exported symbols differ: $(grep -c '^[<>]' "$tmp/syms.diff") lines"; head -20 "$tmp/syms.diff"
fi
if command -v abidiff >/dev/null; then
  abidiff "$stock" "$lib" > "$tmp/abidiff" 2>&1; rc=$?
  if [ $rc -eq 0 ]; then ok "abidiff stock new: no change"; else bad "abidiff exit $rc"; head -20 "$tmp/abidiff"; fi
else
  bad "abidiff missing (tools/setup.sh installs abigail-tools)"
fi

dyn="$(readelf -d "$lib")"
grep -q 'SONAME.*\[libzmq\.so\.5\]' <<<"$dyn" && ok "SONAME libzmq.so.5" || bad "SONAME: $(grep SONAME <<<"$dyn")"
grep -q 'NEEDED.*\[libzgss\.so\.0\]' <<<"$dyn" && ok "NEEDED libzgss.so.0" || bad "no NEEDED libzgss.so.0"
grep -q 'NEEDED.*libgssapi_krb5' <<<"$dyn" && bad "NEEDED libgssapi_krb5" || ok "no NEEDED libgssapi_krb5"
if grep -qE 'RPATH|RUNPATH' <<<"$dyn"; then bad "$(grep -E 'RPATH|RUNPATH' <<<"$dyn" | xargs)"; else ok "no RPATH/RUNPATH"; fi
need_stock="$(readelf -d "$stock" | sed -n 's/.*NEEDED.*\[\(.*\)\]/\1/p' | grep -v gssapi_krb5 | sort)"
need_new="$(sed -n 's/.*NEEDED.*\[\(.*\)\]/\1/p' <<<"$dyn" | grep -v libzgss | sort)"
[ "$need_stock" = "$need_new" ] && ok "other NEEDED as stock: $(echo $need_new)" \
  || bad "NEEDED differ: stock [$(echo $need_stock)] new [$(echo $need_new)]"

libdir="$(dirname "$lib")"
zgsslib="$(pkg-config --variable=libdir zgss 2>/dev/null || true)"
ldd_out="$(LD_LIBRARY_PATH="$libdir${zgsslib:+:$zgsslib}" ldd "$lib")"
grep -q 'libzgss\.so\.0 => /' <<<"$ldd_out" && ok "ldd: $(grep libzgss <<<"$ldd_out" | xargs)" || bad "ldd: libzgss not resolved"

if gcc -O1 -o "$tmp/features" "$root/tools/libzmq-dropin/features.c" -lzmq; then
  LD_LIBRARY_PATH="$libdir${zgsslib:+:$zgsslib}" "$tmp/features" > "$tmp/features.out" 2>&1
  rc=$?; sed 's/^/  | /' "$tmp/features.out"
  [ $rc -eq 0 ] && ok "features (zmq_has as stock, CURVE pair, ws:// pair)" || bad "features: $rc failed"
  grep -q "$libdir" <(LD_LIBRARY_PATH="$libdir${zgsslib:+:$zgsslib}" ldd "$tmp/features") \
    && ok "features ran on the new library" || bad "features did not load the new library"
else
  bad "cannot build features.c"
fi
# Static linking: libzmq.a and libzmq.pc as libzmq3-dev installs them
# (prefix moved to the build's debian/tmp/usr). Debian 12's norm.pc names
# its private library as a bare "libprotokit.a", which no linker finds from
# another directory (stock libzmq3-dev has the same problem): it is given
# as -l:libprotokit.a.
usr="$src/debian/tmp/usr"
pc="$(find "$usr/lib" -name libzmq.pc 2>/dev/null | head -1)"
mkdir -p "$tmp/pc"
# (an empty libzmq.pc when there is none: the link below then fails
# rather than finding Debian's own libzmq.pc)
[ -n "$pc" ] && sed "s|^prefix=.*|prefix=$usr|" "$pc" > "$tmp/pc/libzmq.pc" || : > "$tmp/pc/libzmq.pc"
cat > "$tmp/static.c" <<'EOF'
#include <zmq.h>
#include <stdio.h>
int main (void)
{
    void *ctx = zmq_ctx_new ();
    void *s = zmq_socket (ctx, ZMQ_REQ);
    printf ("static libzmq: curve %d gssapi %d socket %s\n", zmq_has ("curve"),
            zmq_has ("gssapi"), s ? "made" : "failed");
    zmq_close (s);
    zmq_ctx_term (ctx);
    return !(s && zmq_has ("curve") && zmq_has ("gssapi"));
}
EOF
export PKG_CONFIG_PATH="$tmp/pc${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
static_libs="$(pkg-config --static --libs libzmq | sed -e 's| libprotokit\.a | -l:libprotokit.a |' -e 's|-lzmq ||')"
if gcc -o "$tmp/static" "$tmp/static.c" $(pkg-config --cflags libzmq) \
     -Wl,-Bstatic -lzmq -Wl,-Bdynamic $static_libs > "$tmp/static.log" 2>&1 \
   && ! readelf -d "$tmp/static" | grep 'NEEDED.*libzmq' >/dev/null \
   && readelf -d "$tmp/static" | grep 'NEEDED.*libzgss' >/dev/null \
   && LD_LIBRARY_PATH="${zgsslib}" "$tmp/static"; then
  ok "static: libzmq.a + libzmq.pc (pkg-config --static) link a program that NEEDs libzgss, not libzmq.so"
else
  bad "static link: $(head -5 "$tmp/static.log" | xargs)"
fi
# Fail closed: the patched configure, asked for GSSAPI without a zgss that
# pkg-config can find, stops rather than linking libgssapi_krb5 with the
# adapter (upstream's fallback). Only configure and what it needs up to
# that check are copied out of the built tree.
mkdir -p "$tmp/cfg/src/include" "$tmp/cfg/build" "$tmp/cfg/nopc"
cp -a "$src/configure" "$src/config" "$tmp/cfg/src/" && cp "$src/include/zmq.h" "$tmp/cfg/src/include/"
(cd "$tmp/cfg/build" && PKG_CONFIG_PATH= PKG_CONFIG_LIBDIR="$tmp/cfg/nopc" \
   ../src/configure --with-libgssapi_krb5=yes --without-docs) > "$tmp/cfg/configure.log" 2>&1
rc=$?
if [ $rc -ne 0 ] && grep -q 'pkg-config module zgss not found' "$tmp/cfg/configure.log" \
   && ! grep -q 'gss_init_sec_context' "$tmp/cfg/configure.log"; then
  ok "configure --with-libgssapi_krb5 without zgss stops: $(grep -o 'error: .*' "$tmp/cfg/configure.log" | head -1)"
else
  bad "configure without zgss: exit $rc, $(grep -iE 'gssapi|zgss' "$tmp/cfg/configure.log" | tail -2 | xargs)"
fi
echo "debian-route-check: $passed passed, $failed failed"
[ $failed -eq 0 ]
