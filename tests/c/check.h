// SPDX-License-Identifier: MIT
/* Shared by the C-ABI tests: a pass/fail counter and CHECK(cond, format,
 * ...), which counts a pass or prints the failure with its place. Each
 * test prints the two counts at the end. */
#ifndef ZGSS_TESTS_CHECK_H
#define ZGSS_TESTS_CHECK_H

#include <stdio.h>

static int passed, failed;

#define CHECK(cond, ...)                                         \
    do {                                                         \
        if (cond) {                                              \
            passed++;                                            \
        } else {                                                 \
            failed++;                                            \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
            fprintf(stderr, __VA_ARGS__);                        \
            fprintf(stderr, "\n");                               \
        }                                                        \
    } while (0)

#endif
