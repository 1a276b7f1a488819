#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# DRAFT (issue 15 investigation): builds Debian's zeromq3 source package the
# way Debian does (dpkg-buildpackage: dh --with autoreconf, Debian's own
# configure flags --with-pgm --with-libsodium --with-norm=yes
# --with-libgssapi_krb5=yes --disable-Werror), with two changes:
#   1. contrib/libzmq/src/gssapi_* replace libzmq's src/gssapi_*
#   2. debian/patches/zgss-gssapi.patch: configure.ac looks up the GSSAPI
#      library as pkg-config module "zgss" instead of "krb5-gssapi"
#      (so gssapi_krb5_LIBS = -lzgss, and libzmq.pc's Requires.private
#      names zgss).
# debian/control's Build-Depends libkrb5-dev becomes libzgss-dev (a package
# that does not exist yet: this script passes -d to skip that check and finds
# zgss through PKG_CONFIG_PATH).
#
#   contrib/libzmq/debian-route.sh WORKDIR [check]
#
# WORKDIR gets zeromq3-<version>/ (the patched tree) and the .debs.
# With "check", Debian's dh_auto_test (make check) runs too.
# Env: ZGSS_PREFIX (default: <repo>/.dist; built with tools/build-lib.sh when
# pkg-config cannot find zgss), ZGSS_LIBZMQ_SRC (an unpacked zeromq3 tree to
# copy instead of apt-get source), JOBS (default 1).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
[ $# -ge 1 ] || { echo "usage: $0 WORKDIR [check]" >&2; exit 2; }
mkdir -p "$1"; work="$(cd "$1" && pwd)"
check="${2:-}"
log() { echo "debian-route: $(date +%T) $*" >&2; }

if ! pkg-config --exists zgss 2>/dev/null; then
  prefix="${ZGSS_PREFIX:-$root/.dist}"
  [ -e "$prefix/lib/pkgconfig/zgss.pc" ] || "$root/tools/build-lib.sh" "$prefix"
  export PKG_CONFIG_PATH="$prefix/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
fi
log "zgss $(pkg-config --modversion zgss): $(pkg-config --libs zgss)"

cd "$work"
if [ -n "${ZGSS_LIBZMQ_SRC:-}" ]; then
  src="$work/$(basename "$ZGSS_LIBZMQ_SRC")"
  rm -rf "$src"; cp -a "$ZGSS_LIBZMQ_SRC" "$src"
else
  rm -rf zeromq3-*/
  apt-get source zeromq3 >&2
  src="$(find "$work" -maxdepth 1 -type d -name 'zeromq3-*' | head -1)"
fi
cd "$src"

# 1. the adapter
cp "$here"/src/gssapi_*.cpp "$here"/src/gssapi_*.hpp src/

# 2. configure.ac: GSSAPI library = pkg-config module zgss
cat > debian/patches/zgss-gssapi.patch <<'EOF'
Description: GSSAPI mechanism on libzgss instead of libgssapi_krb5
 --with-libgssapi_krb5 now looks up the pkg-config module zgss; the
 mechanism sources src/gssapi_*.{cpp,hpp} are zgss's adapter.
--- a/configure.ac
+++ b/configure.ac
@@ -517,9 +517,9 @@
 
 # conditionally require libgssapi_krb5
 if test "x$require_libgssapi_krb5_ext" != "xno"; then
-    PKG_CHECK_MODULES([gssapi_krb5], [krb5-gssapi], [
+    PKG_CHECK_MODULES([gssapi_krb5], [zgss], [
         have_gssapi_library="yes"
-        PKGCFG_NAMES_PRIVATE="$PKGCFG_NAMES_PRIVATE krb5-gssapi"
+        PKGCFG_NAMES_PRIVATE="$PKGCFG_NAMES_PRIVATE zgss"
     ], [
         AC_CHECK_HEADERS(gssapi/gssapi_generic.h)
         AC_SEARCH_LIBS([gss_init_sec_context], [gssapi_krb5 gssapi],
EOF
grep -qx zgss-gssapi.patch debian/patches/series || echo zgss-gssapi.patch >> debian/patches/series
patch -p1 --quiet < debian/patches/zgss-gssapi.patch
sed -i 's/^ libkrb5-dev,$/ libzgss-dev,/' debian/control

opts="parallel=${JOBS:-1}"
[ "$check" = check ] || opts="$opts nocheck"
log "dpkg-buildpackage -d -b -us -uc (DEB_BUILD_OPTIONS=$opts)"
t0=$(date +%s)
# A packager's PATH: /usr/bin first (asciidoc runs "env python3" and needs
# Debian's python3, not a pyenv one earlier in PATH).
PATH="/usr/sbin:/usr/bin:/sbin:/bin:$PATH" DEB_BUILD_OPTIONS="$opts" dpkg-buildpackage -d -b -us -uc > "$work/buildpackage.log" 2>&1 \
  || { tail -40 "$work/buildpackage.log" >&2; exit 1; }
log "built in $(( $(date +%s) - t0 ))s: $(ls "$work"/*.deb | xargs -n1 basename | xargs)"
