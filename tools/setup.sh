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
  cmake patch dpkg-dev                               # rebuilding libzmq 4.3.4 on zgss
  python3-matplotlib                                 # tools/bench.sh --plot
)
missing=()
for p in "${packages[@]}"; do
  [[ "$p" == \#* ]] && continue
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi
# The KDC services Debian starts on install are not used (tests start
# their own KDC on a free port); stopping them is not needed.
if ! python3 -c "import pytest" 2>/dev/null; then
  echo "setup: installing pytest" >&2
  python3 -m pip install -q pytest >&2
fi
echo "setup: all build and test dependencies present" >&2
