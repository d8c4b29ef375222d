/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared by the libFuzzer targets: reading typed values out of the fuzzer's
 * bytes (zeros once they run out, so every input is usable and short inputs
 * still reach the code), and a check that aborts, which libFuzzer reports as
 * a crash and saves the input for.
 */
#ifndef TESTS_FUZZ_H
#define TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

struct fuzz_input {
    const uint8_t *data;
    size_t size;
};

/* Little-endian, so a corpus file reads the same on any host. */
static inline uint64_t fuzz_take(struct fuzz_input *in, unsigned bytes)
{
    uint64_t value = 0;
    for (unsigned i = 0; i < bytes && in->size > 0; i++) {
        value |= (uint64_t)in->data[0] << (8 * i);
        in->data++;
        in->size--;
    }
    return value;
}

#define FUZZ_CHECK(cond)                                                       \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__,         \
                    __LINE__, #cond);                                          \
            abort();                                                           \
        }                                                                      \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
