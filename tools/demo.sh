#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The main job, from a fresh Debian 12 machine: installs what is missing,
# builds libzgss, starts a throwaway Kerberos realm and has zgss talk to
# stock libzmq 4.3.4 (Debian's pyzmq) over TCP, encrypted and plaintext,
# as server and as client, printing the authenticated principals.
#   tools/demo.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
tools/setup.sh
tools/build-lib.sh
if [ -x tools/demo-sockets.sh ]; then
  exec python3 tools/testrealm.py run -- tools/demo-sockets.sh
fi
exec python3 tools/testrealm.py run -- /usr/bin/python3 examples/sansio/demo_mech.py
