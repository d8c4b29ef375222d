/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A minimal assertion kit for the host unit tests: counts and reports. */
#ifndef TESTS_UNIT_H
#define TESTS_UNIT_H

#include <stdio.h>

static int unit_failures, unit_checks;

#define CHECK(cond)                                                            \
    do {                                                                       \
        unit_checks++;                                                         \
        if (!(cond)) {                                                         \
            unit_failures++;                                                   \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__,   \
                    #cond);                                                    \
        }                                                                      \
    } while (0)

#define CHECK_EQ(actual, expected)                                             \
    do {                                                                       \
        unsigned long long a_ = (unsigned long long)(actual);                  \
        unsigned long long e_ = (unsigned long long)(expected);                \
        unit_checks++;                                                         \
        if (a_ != e_) {                                                        \
            unit_failures++;                                                   \
            fprintf(stderr, "%s:%d: %s == %#llx, expected %#llx\n", __FILE__,  \
                    __LINE__, #actual, a_, e_);                                \
        }                                                                      \
    } while (0)

static inline int unit_report(const char *name)
{
    printf("%s: %d checks, %d failed\n", name, unit_checks, unit_failures);
    return unit_failures != 0;
}

#endif
