#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds Debian's libzmq 4.3.4 (source package zeromq3) with zgss as its
# GSSAPI mechanism: libzmq's three gssapi_*.cpp/.hpp are replaced by the
# adapter in contrib/libzmq/src, cmake-with-zgss.patch adds a WITH_ZGSS
# option to libzmq's CMakeLists.txt (its cmake build has no GSSAPI at all),
# and libzmq links libzgss instead of libgssapi_krb5.
#
#   contrib/libzmq/build.sh OUTDIR
#
# Installs OUTDIR/lib/libzmq.so* (SONAME libzmq.so.5, same ABI as Debian's
# libzmq5), OUTDIR/include/zmq.h, zmq_utils.h, OUTDIR/lib/pkgconfig/libzmq.pc
# and OUTDIR/bin/test_security_gssapi (libzmq's own GSSAPI test).
#
# Environment:
#   ZGSS_LIBZMQ_SRC   an unpacked zeromq3 4.3.4 source tree to use instead of
#                     `apt-get source zeromq3` (it is copied, not modified)
#   PKG_CONFIG_PATH   where zgss.pc is; when pkg-config cannot find zgss,
#                     tools/build-lib.sh builds and installs it into OUTDIR
#   JOBS              parallel compile jobs (default: nproc)
# Work files: OUTDIR/work (source copy, cmake build tree); a rerun reuses
# the unpacked source and the build tree.
# Needs: cmake make g++ pkg-config patch dpkg-dev (apt-get source); when one is
# missing and we are root, it is installed with apt-get.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
mkdir -p "$1"
out="$(cd "$1" && pwd)"
work="$out/work"
jobs="${JOBS:-$(nproc)}"
log() { echo "libzmq-build: $*" >&2; }
t0=$(date +%s)

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo "$@"
  else log "need root for: $*"; return 1; fi
}

# ---- build tools ------------------------------------------------------------
missing=()
for tool in cmake:cmake make:make g++:g++ pkg-config:pkg-config patch:patch dpkg-source:dpkg-dev; do
  command -v "${tool%%:*}" >/dev/null || missing+=("${tool#*:}")
done
[ -e /usr/include/gssapi/gssapi.h ] || missing+=(libkrb5-dev)
if [ ${#missing[@]} -gt 0 ]; then
  log "installing build tools: ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >&2
fi

# ---- zgss -----------------------------------------------------------------
if ! pkg-config --exists zgss 2>/dev/null; then
  if [ ! -e "$out/lib/pkgconfig/zgss.pc" ]; then
    log "zgss not found by pkg-config: building it into $out"
    "$root/tools/build-lib.sh" "$out"
  fi
  export PKG_CONFIG_PATH="$out/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
fi
zgss_cflags="$(pkg-config --cflags zgss)"
zgss_libs="$(pkg-config --libs zgss)"
log "zgss $(pkg-config --modversion zgss): $zgss_libs"

# ---- libzmq source ------------------------------------------------------------
src="$work/zeromq3-4.3.4"
if [ ! -e "$src/CMakeLists.txt" ]; then
  mkdir -p "$work"
  if [ -n "${ZGSS_LIBZMQ_SRC:-}" ]; then
    log "copying libzmq source from $ZGSS_LIBZMQ_SRC"
    rm -rf "$src.tmp"
    cp -a "$ZGSS_LIBZMQ_SRC" "$src.tmp"
  else
    if ! (cd "$work" && apt-get source --print-uris zeromq3 >/dev/null 2>&1); then
      log "no deb-src entry: adding one (a deb-src copy of the Debian sources) and running apt-get update"
      if [ -e /etc/apt/sources.list.d/debian.sources ]; then
        sed 's/^Types: .*/Types: deb-src/' /etc/apt/sources.list.d/debian.sources \
          | as_root tee /etc/apt/sources.list.d/zgss-deb-src.sources >/dev/null
      else
        grep '^deb ' /etc/apt/sources.list | sed 's/^deb /deb-src /' \
          | as_root tee /etc/apt/sources.list.d/zgss-deb-src.list >/dev/null
      fi
      as_root apt-get update >&2
    fi
    log "apt-get source zeromq3"
    rm -rf "$work/apt" && mkdir -p "$work/apt"
    (cd "$work/apt" && apt-get source zeromq3 >&2)
    dir="$(find "$work/apt" -maxdepth 1 -type d -name 'zeromq3-*' | head -1)"
    [ -n "$dir" ] || { log "apt-get source produced no zeromq3 tree"; exit 1; }
    rm -rf "$src.tmp"
    mv "$dir" "$src.tmp"
    rm -rf "$work/apt"
  fi
  grep -q 'ZMQ_VERSION_MINOR 3' "$src.tmp/include/zmq.h" && grep -q 'ZMQ_VERSION_PATCH 4' "$src.tmp/include/zmq.h" \
    || { log "expected libzmq 4.3.4 source"; exit 1; }
  mv "$src.tmp" "$src"
fi

# ---- drop in the adapter ------------------------------------------------------
if ! grep -q WITH_ZGSS "$src/CMakeLists.txt"; then
  log "applying cmake-with-zgss.patch"
  patch -d "$src" -p1 --quiet < "$here/cmake-with-zgss.patch"
fi
for f in gssapi_mechanism_base gssapi_client gssapi_server; do
  for ext in hpp cpp; do
    if ! cmp -s "$here/src/$f.$ext" "$src/src/$f.$ext"; then
      cp "$here/src/$f.$ext" "$src/src/$f.$ext"
    fi
  done
done

# ---- configure and build --------------------------------------------------------
build="$work/build"
mkdir -p "$build"
if [ ! -e "$build/Makefile" ] || [ "$build/.zgss-libs" -ot "$here/build.sh" ] \
   || [ "$(cat "$build/.zgss-libs" 2>/dev/null)" != "$zgss_cflags $zgss_libs" ]; then
  log "cmake configure (GSSAPI through zgss; no CURVE, docs, drafts, static lib or perf tools)"
  (cd "$build" && cmake "$src" -G "Unix Makefiles" \
      -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCMAKE_INSTALL_PREFIX="$out" \
      -DWITH_ZGSS=ON \
      -DENABLE_DRAFTS=OFF -DENABLE_CURVE=OFF -DWITH_LIBSODIUM=OFF \
      -DWITH_DOCS=OFF -DWITH_DOC=OFF -DBUILD_STATIC=OFF -DBUILD_SHARED=ON \
      -DBUILD_TESTS=ON -DWITH_PERF_TOOL=OFF -DENABLE_CPACK=OFF \
      -DENABLE_PRECOMPILED=OFF -DENABLE_WS=OFF >"$build/cmake.log" 2>&1) \
    || { tail -30 "$build/cmake.log" >&2; exit 1; }
  echo "$zgss_cflags $zgss_libs" > "$build/.zgss-libs"
fi
log "compiling libzmq and test_security_gssapi with $jobs jobs"
make -C "$build" -j"$jobs" libzmq test_security_gssapi >"$build/make.log" 2>&1 \
  || { grep -E -B2 -A8 'error|Error' "$build/make.log" | head -60 >&2; exit 1; }

# ---- install -------------------------------------------------------------------
mkdir -p "$out/lib/pkgconfig" "$out/include" "$out/bin"
rm -f "$out"/lib/libzmq.so*
cp -a "$build"/lib/libzmq.so* "$out/lib/"
install -m 0644 "$src/include/zmq.h" "$src/include/zmq_utils.h" "$out/include/"
install -m 0755 "$build/bin/test_security_gssapi" "$out/bin/"
cat > "$out/lib/pkgconfig/libzmq.pc" <<EOF
prefix=$out
libdir=\${prefix}/lib
includedir=\${prefix}/include

Name: libzmq
Description: 0MQ c++ library (GSSAPI through zgss)
Version: 4.3.4
Libs: -L\${libdir} -lzmq
Cflags: -I\${includedir}
EOF
soname="$(objdump -p "$out/lib/libzmq.so" | awk '/SONAME/ {print $2}')"
log "installed $out/lib/libzmq.so ($soname) and $out/bin/test_security_gssapi in $(( $(date +%s) - t0 ))s"
