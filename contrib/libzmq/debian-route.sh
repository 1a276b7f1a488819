#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The libzmq drop-in build: Debian's zeromq3 source package built the way
# Debian builds it (dpkg-buildpackage: dh --with autoreconf and Debian's own
# configure flags --with-pgm --with-libsodium --with-norm=yes
# --with-libgssapi_krb5=yes --disable-Werror), with three changes:
#   1. contrib/libzmq/src/gssapi_* replace libzmq's src/gssapi_*
#   2. debian/patches/zgss-gssapi.patch: configure.ac looks up the GSSAPI
#      library as pkg-config module "zgss" instead of "krb5-gssapi"
#      (so gssapi_krb5_LIBS = -lzgss, and libzmq.pc's Requires.private
#      names zgss)
#   3. debian/control: Build-Depends (and libzmq3-dev's Depends) libkrb5-dev
#      becomes libzgss-dev (no such package yet: dpkg-buildpackage -d skips
#      the check and zgss is found through pkg-config)
#
#   contrib/libzmq/debian-route.sh WORKDIR
#
# WORKDIR gets zeromq3-<version>/ (the patched, built tree: the library in
# debian/libzmq5/, headers, libzmq.a and libzmq.pc in debian/tmp/) and the
# .debs. A rerun whose inputs (contrib/libzmq/**, include/zgss.h, this script,
# zgss's version) have not changed since the last complete build does nothing
# (WORKDIR/inputs.sha256).
# Env: ZGSS_PREFIX (where zgss is installed when pkg-config cannot find it;
# default <repo>/.dist, made with tools/build-lib.sh when absent),
# ZGSS_LIBZMQ_SRC (an unpacked zeromq3 or upstream libzmq tree to copy instead
# of `apt-get source zeromq3`), ZGSS_DEBIAN_DIR (Debian 12's zeromq3 debian/
# directory, for an upstream tree that has none), JOBS (default: nproc).
# Needs Debian's deb-src lines and zeromq3's Build-Depends (tools/setup.sh).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
[ $# -eq 1 ] || { echo "usage: $0 WORKDIR" >&2; exit 2; }
mkdir -p "$1"; work="$(cd "$1" && pwd)"
log() { echo "debian-route: $(date +%T) $*" >&2; }

if ! pkg-config --exists zgss 2>/dev/null; then
  prefix="${ZGSS_PREFIX:-$root/.dist}"
  [ -e "$prefix/lib/pkgconfig/zgss.pc" ] || "$root/tools/build-lib.sh" "$prefix"
  export PKG_CONFIG_PATH="$prefix/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
fi
log "zgss $(pkg-config --modversion zgss): $(pkg-config --libs zgss)"

# What the result depends on; the same inputs and a complete build: done.
zgss_header="$(pkg-config --variable=includedir zgss)/zgss.h"
# (debian-route-check.sh only reads the result.)
inputs="$( (cd "$root" && find contrib/libzmq -type f ! -name debian-route-check.sh | LC_ALL=C sort | xargs sha256sum
  sha256sum < "$zgss_header" | sed 's|-$|zgss.h (installed)|'
  echo "zgss $(pkg-config --modversion zgss) ${ZGSS_LIBZMQ_SRC:-apt-get source zeromq3}") )"
if [ -f "$work/inputs.sha256" ] && [ "$(cat "$work/inputs.sha256")" = "$inputs" ] \
   && ls "$work"/libzmq5_*.deb >/dev/null 2>&1; then
  log "up to date (inputs unchanged since the build in $work)"
  exit 0
fi
rm -f "$work/inputs.sha256" "$work"/*.deb "$work"/*.changes "$work"/*.buildinfo

cd "$work"
if [ -n "${ZGSS_LIBZMQ_SRC:-}" ]; then
  src="$work/$(basename "$ZGSS_LIBZMQ_SRC")"
  rm -rf "$src"; cp -a "$ZGSS_LIBZMQ_SRC" "$src"
else
  rm -rf zeromq3-*/ zeromq3_*
  log "apt-get source zeromq3"
  apt-get source -qq zeromq3 >&2
  src="$(find "$work" -maxdepth 1 -type d -name 'zeromq3-*' | head -1)"
fi
cd "$src"

# An upstream tree (4.3.5, master) has no Debian packaging: take Debian 12's
# debian/ (zeromq3 4.3.4-6), keep the patches that still apply, and give the
# package the tree's version.
if [ ! -d debian ]; then
  [ -n "${ZGSS_DEBIAN_DIR:-}" ] || { log "upstream tree: set ZGSS_DEBIAN_DIR to a zeromq3 debian/ directory"; exit 1; }
  cp -a "$ZGSS_DEBIAN_DIR" debian
  : > debian/patches/series.new
  for p in $(cat debian/patches/series); do
    if patch -p1 -s --dry-run < "debian/patches/$p" >/dev/null 2>&1; then
      patch -p1 -s < "debian/patches/$p"; echo "$p" >> debian/patches/series.new
      log "debian patch $p: applied"
    else
      log "debian patch $p: does not apply (upstream has it), dropped"
    fi
  done
  mv debian/patches/series.new debian/patches/series
  v="$(sed -n 's/^#define ZMQ_VERSION_MAJOR \([0-9]*\)/\1/p' include/zmq.h).$(sed -n 's/^#define ZMQ_VERSION_MINOR \([0-9]*\)/\1/p' include/zmq.h).$(sed -n 's/^#define ZMQ_VERSION_PATCH \([0-9]*\)/\1/p' include/zmq.h)"
  { echo "zeromq3 ($v-0zgss1) UNRELEASED; urgency=medium"; echo; echo "  * upstream $v with zgss's GSSAPI mechanism"; echo
    echo " -- zgss <zgss@localhost>  $(date -R)"; echo; cat debian/changelog; } > debian/changelog.new
  mv debian/changelog.new debian/changelog
fi

# 1. the adapter
cp "$here"/src/gssapi_*.cpp "$here"/src/gssapi_*.hpp src/

# 2. configure.ac: GSSAPI library = pkg-config module zgss
cat > debian/patches/zgss-gssapi.patch <<'EOF'
Description: GSSAPI mechanism on libzgss instead of libgssapi_krb5
 --with-libgssapi_krb5 now requires the pkg-config module zgss (no fallback
 to a bare -lgssapi_krb5); the mechanism sources src/gssapi_*.{cpp,hpp} are
 zgss's adapter.
--- a/configure.ac
+++ b/configure.ac
@@ -517,17 +517,13 @@
 
 # conditionally require libgssapi_krb5
 if test "x$require_libgssapi_krb5_ext" != "xno"; then
-    PKG_CHECK_MODULES([gssapi_krb5], [krb5-gssapi], [
+    PKG_CHECK_MODULES([gssapi_krb5], [zgss], [
         have_gssapi_library="yes"
-        PKGCFG_NAMES_PRIVATE="$PKGCFG_NAMES_PRIVATE krb5-gssapi"
+        PKGCFG_NAMES_PRIVATE="$PKGCFG_NAMES_PRIVATE zgss"
     ], [
-        AC_CHECK_HEADERS(gssapi/gssapi_generic.h)
-        AC_SEARCH_LIBS([gss_init_sec_context], [gssapi_krb5 gssapi],
-            have_gssapi_library="yes",
-            AC_MSG_ERROR(libgssapi_krb5 is needed for GSSAPI security))
-        PKGCFG_LIBS_PRIVATE="$PKGCFG_LIBS_PRIVATE -lgssapi_krb5"
+        AC_MSG_ERROR([--with-libgssapi_krb5: pkg-config module zgss not found (GSSAPI is zgss's mechanism here)])
     ])
 fi
 if test "x$have_gssapi_library" = "xyes"; then
     AC_DEFINE(HAVE_LIBGSSAPI_KRB5, [1], [Enabled GSSAPI security])
 fi
EOF
grep -qx zgss-gssapi.patch debian/patches/series || echo zgss-gssapi.patch >> debian/patches/series
patch -p1 --quiet < debian/patches/zgss-gssapi.patch \
  || { log "configure.ac: GSSAPI block not found"; exit 1; }
sed -i 's/^ libkrb5-dev,$/ libzgss-dev,/' debian/control
sed -i 's/^\(Depends: .*\)libkrb5-dev/\1libzgss-dev/' debian/control
grep -q libzgss-dev debian/control || { log "debian/control: no libkrb5-dev line to replace"; exit 1; }

# zgss outside the linker's default directories (no libzgss0 package yet):
# the linker must find libzgss.so.0 when linking the tools and tests against
# the uninstalled libzmq.so (LD_LIBRARY_PATH also serves make check), and
# dpkg-shlibdeps has no shlibs/symbols file to turn it into a Depends.
zgss_libdir="$(pkg-config --variable=libdir zgss)"
case "$zgss_libdir" in
  /usr/lib|/usr/lib/*|/lib/*) ;;
  *)
    export LD_LIBRARY_PATH="$zgss_libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    grep -q '^override_dh_shlibdeps' debian/rules || printf '%s\n' '' \
      '# libzgss has no package yet: no dependency information for it' \
      'override_dh_shlibdeps:' \
      '	dh_shlibdeps -- --ignore-missing-info' >> debian/rules ;;
esac

# make check runs apart (tools/test-libzmq-dropin.sh runs it in a Kerberos
# realm, where test_security_gssapi really runs).
opts="parallel=${JOBS:-$(nproc)} nocheck"
log "dpkg-buildpackage -d -b -us -uc (DEB_BUILD_OPTIONS=$opts; log: $work/buildpackage.log)"
t0=$(date +%s)
# A packager's PATH: /usr/bin first (asciidoc runs "env python3" and needs
# Debian's python3, not a pyenv one earlier in PATH). Progress: the dh step
# being run, with the time, every time it changes.
PATH="/usr/sbin:/usr/bin:/sbin:/bin:$PATH" DEB_BUILD_OPTIONS="$opts" dpkg-buildpackage -d -b -us -uc > "$work/buildpackage.log" 2>&1 &
build=$!
last="" said=$t0
while kill -0 $build 2>/dev/null; do
  sleep 5
  step="$(grep -E '^ +(dh_|debian/rules|make)|^dpkg-buildpackage: info|^dh ' "$work/buildpackage.log" | tail -1 | cut -c1-100)"
  if [ "$step" != "$last" ] || [ $(( $(date +%s) - said )) -ge 60 ]; then
    log "  $(( $(date +%s) - t0 ))s: $step ($(grep -cE '^ *(CXX|CC|CXXLD|CCLD) |^libtool: (compile|link):' "$work/buildpackage.log") compile/link steps so far)"
    last="$step" said=$(date +%s)
  fi
done
wait $build || { tail -40 "$work/buildpackage.log" >&2; log "dpkg-buildpackage failed"; exit 1; }
log "built in $(( $(date +%s) - t0 ))s: $(ls "$work"/*.deb | xargs -n1 basename | xargs)"
echo "$inputs" > "$work/inputs.sha256"
