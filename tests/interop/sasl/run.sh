# SPDX-License-Identifier: MIT
# Sourced by tools/test-mqtt.sh inside the realm: zgss <-> Cyrus SASL
# 2.1.28 (gssapiv2 plugin) both ways, each layer, mutual and not, and the
# authzid rule on both servers. Uses count_tap, pass, fail, $work, $cflags,
# $libs from the caller.
interop_src="$root/tests/interop/sasl/cyrus_interop.c"
if cc -std=c99 -Wall -Wextra -Werror -Wno-deprecated-declarations -o "$work/cyrus_interop" "$interop_src" $cflags $libs -lsasl2; then
  pass "Cyrus interop peer compiles"
  for direction in zgss-client cyrus-client; do
    for layer in none integrity confidentiality; do
      count_tap "$direction/$layer" "$work/cyrus_interop" "$direction" "$layer"
    done
  done
  count_tap "zgss-client/none/nonmutual" "$work/cyrus_interop" zgss-client none nonmutual
  count_tap "zgss-client/confidentiality/nonmutual" "$work/cyrus_interop" zgss-client confidentiality nonmutual
  count_tap "zgss-client/integrity/authzid=alice" "$work/cyrus_interop" zgss-client integrity mutual alice
  count_tap "cyrus-client/none/authzid=alice" "$work/cyrus_interop" cyrus-client none mutual alice
  ZGSS_EXPECT_DENY=1 count_tap "zgss-client/authzid=bob" "$work/cyrus_interop" zgss-client none mutual bob
  ZGSS_EXPECT_DENY=1 count_tap "cyrus-client/authzid=bob" "$work/cyrus_interop" cyrus-client none mutual bob
else
  fail "Cyrus interop peer compiles"
fi
