#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs the sockets demo; tools/demo.sh calls it inside a throwaway realm.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
export ZGSS_LIB="$root/.dist/lib/libzgss.so"
exec /usr/bin/python3 "$root/examples/demo_sockets.py"
