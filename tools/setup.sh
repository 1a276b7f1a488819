#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs the Debian packages zgss's build, demo and tests need, when any
# is missing. Idempotent; needs root (or sudo) only when something is
# missing.
set -euo pipefail
packages=(
  libkrb5-dev krb5-kdc krb5-admin-server krb5-user   # MIT Kerberos: GSS-API and a test KDC
  libssl-dev                                         # libcrypto: AES-CTS and HMAC for message tokens
  libzmq3-dev python3-zmq                            # stock libzmq 4.3.4 peers
  libsasl2-modules-gssapi-mit sasl2-bin libsasl2-dev # Cyrus SASL interop
  mosquitto mosquitto-dev libmosquitto-dev           # MQTT broker and plugin headers
  pkg-config valgrind python3-pytest build-essential   # C side, tests
  python3-venv python3-pip python3-setuptools        # pip install ./python into a venv (python/tests)
  python3-matplotlib                                 # tools/bench.sh --plot
  # the libzmq drop-in (contrib/libzmq/debian-route.sh): Debian's zeromq3
  # packaging and its Build-Depends (apt-get build-dep -s zeromq3), abidiff
  dpkg-dev debhelper dh-autoreconf abigail-tools patch
  libpgm-dev libsodium-dev libnorm-dev libbsd-dev pkgconf xmlto asciidoc
)
# `apt-get source zeromq3` needs deb-src lines: the deb lines' archives
# (Debian 12: bookworm, bookworm-updates, bookworm-security) once more as
# Types: deb-src, in a file of their own.
deb_src=/etc/apt/sources.list.d/zgss-deb-src.sources
added_src=0
if ! grep -rqs '^Types:.*deb-src' /etc/apt/sources.list.d/ \
   && ! grep -qs '^deb-src ' /etc/apt/sources.list; then
  echo "setup: adding Debian deb-src lines ($deb_src)" >&2
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  printf '%s\n' \
    'Types: deb-src' \
    'URIs: http://deb.debian.org/debian' \
    'Suites: bookworm bookworm-updates' \
    'Components: main' \
    'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg' \
    '' \
    'Types: deb-src' \
    'URIs: http://deb.debian.org/debian-security' \
    'Suites: bookworm-security' \
    'Components: main' \
    'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg' \
    | $sudo tee "$deb_src" >/dev/null
  added_src=1
fi
missing=()
for p in "${packages[@]}"; do
  [[ "$p" == \#* ]] && continue
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if ((${#missing[@]})) || ((added_src)); then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
fi
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi
# The KDC services Debian starts on install are not used (tests start
# their own KDC on a free port); stopping them is not needed.
if ! python3 -c "import pytest" 2>/dev/null; then
  echo "setup: installing pytest" >&2
  python3 -m pip install -q pytest >&2
fi
echo "setup: all build and test dependencies present" >&2
