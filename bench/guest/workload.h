/* SPDX-License-Identifier: MIT */
/*
 * The CPU-bound benchmark workload, shared by the user-mode program
 * (workload.c) and the bare-metal kernel (kernel.c): fill an array with
 * pseudo-random numbers, merge-sort it, then run-length and move-to-front
 * encode it. It makes no backdoor call; the callers add regions around it.
 * Needs memcpy and memmove only (the kernels get them from runtime/mem.c).
 */
#ifndef BENCH_WORKLOAD_H
#define BENCH_WORKLOAD_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define WORKLOAD_ELEMENTS 20000

static uint32_t workload_values[WORKLOAD_ELEMENTS], workload_scratch[WORKLOAD_ELEMENTS];

static void workload_merge_sort(uint32_t *a, uint32_t *tmp, size_t n)
{
    if (n < 2)
        return;
    size_t half = n / 2;
    workload_merge_sort(a, tmp, half);
    workload_merge_sort(a + half, tmp, n - half);
    size_t i = 0, j = half, k = 0;
    while (i < half && j < n)
        tmp[k++] = a[i] <= a[j] ? a[i++] : a[j++];
    while (i < half)
        tmp[k++] = a[i++];
    while (j < n)
        tmp[k++] = a[j++];
    memcpy(a, tmp, n * sizeof *a);
}

static uint32_t workload_encode(const uint32_t *a, size_t n)
{
    uint8_t order[256];
    for (int i = 0; i < 256; i++)
        order[i] = (uint8_t)i;
    uint32_t checksum = 0, run = 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t byte = (uint8_t)(a[i] >> 3);
        int pos = 0;
        while (order[pos] != byte)
            pos++;
        memmove(order + 1, order, (size_t)pos);
        order[0] = byte;
        run = i > 0 && (a[i] >> 3) == (a[i - 1] >> 3) ? run + 1 : 0;
        checksum = checksum * 31 + (uint32_t)pos + run;
    }
    return checksum;
}

/* One round; *seed carries the generator from round to round. */
static uint32_t workload_round(uint32_t *seed)
{
    for (size_t i = 0; i < WORKLOAD_ELEMENTS; i++) {
        *seed = *seed * 1103515245u + 12345u;
        workload_values[i] = *seed >> 8;
    }
    workload_merge_sort(workload_values, workload_scratch, WORKLOAD_ELEMENTS);
    return workload_encode(workload_values, WORKLOAD_ELEMENTS);
}

#endif
