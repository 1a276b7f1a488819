// SPDX-License-Identifier: MIT
#ifndef ZGSS_TEST_REALM_BOOTSTRAP_H
#define ZGSS_TEST_REALM_BOOTSTRAP_H

/* The test process's Kerberos realm, set up before main (see bootstrap.c).
 * Returns NULL when the realm's variables (KRB5_CONFIG, ZGSS_TEST_DIR, ...)
 * are in the environment, given by the caller or exported by the bootstrap;
 * otherwise why there is no realm. The text lives as long as the process. */
const char *zgss_test_realm_unavailable(void);

/* 1 when a missing realm must fail the Kerberos tests instead of skipping
 * them: CI is set to anything but "", "false" or "0", or
 * ZGSS_REQUIRE_REALM=1. */
int zgss_test_realm_required(void);

#endif
