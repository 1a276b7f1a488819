# SPDX-License-Identifier: MIT
# Sourced by tools/test-mqtt.sh inside the realm: builds the Mosquitto
# plugin against .dist via pkg-config and runs the end-to-end broker tests
# (tests/mqtt/test_mosquitto.py). Uses count_tap, pass, fail, $work.
if make -s -C "$root/contrib/mosquitto" -B >"$work/plugin-build.log" 2>&1; then
  pass "mosquitto plugin builds against libzgss (pkg-config)"
  ZGSS_LIB="$root/.dist/lib/libzgss.so.0" count_tap mosquitto \
    python3 "$root/tests/mqtt/test_mosquitto.py" "$root/contrib/mosquitto/mosquitto_zgss.so"
else
  sed 's/^/  [plugin build] /' "$work/plugin-build.log"
  fail "mosquitto plugin builds against libzgss (pkg-config)"
fi
