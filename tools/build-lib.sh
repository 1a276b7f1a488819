#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the release libzgss.so (SONAME libzgss.so.0, zgss_* symbols only,
# Swift runtime linked statically) and installs it with zgss.h and zgss.pc
# under PREFIX (default: .dist in the repository).
#   tools/build-lib.sh [PREFIX]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
prefix="${1:-$root/.dist}"
version="$(sed -n 's/^#define ZGSS_VERSION_MAJOR \([0-9]*\)/\1/p' "$root/include/zgss.h").$(sed -n 's/^#define ZGSS_VERSION_MINOR \([0-9]*\)/\1/p' "$root/include/zgss.h").$(sed -n 's/^#define ZGSS_VERSION_PATCH \([0-9]*\)/\1/p' "$root/include/zgss.h")"
scratch="$root/.build-release"

echo "zgss: building release library $version" >&2
swift build --package-path "$root" --scratch-path "$scratch" -c release --product zgss \
  -Xswiftc -static-stdlib \
  -Xlinker --version-script="$root/pkgconfig/zgss.map" \
  -Xlinker -soname=libzgss.so.0 >&2

built="$(swift build --package-path "$root" --scratch-path "$scratch" -c release --show-bin-path)/libzgss.so"
mkdir -p "$prefix/lib/pkgconfig" "$prefix/include"
install -m 0755 "$built" "$prefix/lib/libzgss.so.$version"
strip --strip-unneeded "$prefix/lib/libzgss.so.$version"
ln -sf "libzgss.so.$version" "$prefix/lib/libzgss.so.0"
ln -sf "libzgss.so.0" "$prefix/lib/libzgss.so"
install -m 0644 "$root/include/zgss.h" "$prefix/include/zgss.h"
for extra in "$root"/include/zgss_*.h; do
  [ -e "$extra" ] && install -m 0644 "$extra" "$prefix/include/"
done
sed -e "s|@PREFIX@|$prefix|" -e "s|@VERSION@|$version|" "$root/pkgconfig/zgss.pc.in" > "$prefix/lib/pkgconfig/zgss.pc"
echo "zgss: installed $prefix/lib/libzgss.so.$version ($(du -h "$prefix/lib/libzgss.so.$version" | cut -f1)); PKG_CONFIG_PATH=$prefix/lib/pkgconfig" >&2
