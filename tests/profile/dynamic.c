/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A program as a user writes it, linked against Debian's shared zlib and
 * libm (tests/test_profile.py): compresses generated text, sums sines, and
 * sorts with a callback, between two CALLGRIND_TOGGLE_COLLECT, so Callgrind
 * and the plugin profile the same part.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <valgrind/callgrind.h>
#include <zlib.h>

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static unsigned long checksum(const unsigned char *buf, size_t len)
{
    unsigned long sum = 0;
    for (size_t i = 0; i < len; i++) {
        sum = sum * 31 + buf[i];
    }
    return sum;
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 20000;
    size_t text_len = n * 16;
    unsigned char *text = malloc(text_len);
    for (size_t i = 0; i < text_len; i++) {
        text[i] = "the quick brown fox jumps over the lazy dog "[(i * 7 + i / 13) % 44];
    }
    uLongf packed_len = compressBound(text_len);
    unsigned char *packed = malloc(packed_len);
    double *values = malloc(n * sizeof *values);
    CALLGRIND_TOGGLE_COLLECT;
    int rc = compress2(packed, &packed_len, text, text_len, 6);
    double total = 0;
    for (size_t i = 0; i < n; i++) {
        values[i] = sin((double)i * 0.001) * exp((double)(i % 17) * 0.01);
        total += values[i];
    }
    qsort(values, n, sizeof *values, by_value);
    unsigned long sum = checksum(packed, packed_len);
    CALLGRIND_TOGGLE_COLLECT;
    printf("rc %d packed %lu sum %lx total %.3f first %.3f\n", rc, (unsigned long)packed_len,
           sum, total, values[0]);
    free(values);
    free(packed);
    free(text);
    return 0;
}
