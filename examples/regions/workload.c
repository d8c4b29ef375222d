/* SPDX-License-Identifier: MIT */
/*
 * Regions of interest without host code: a program sorts and then searches,
 * and marks each phase as a region, with a mark between them. Run it under
 * QEMU with the plugin to read instruction counts per region in the summary
 * and a timeline in trace=FILE (ui.perfetto.dev). Natively it just runs.
 */
#include <stdio.h>
#include <stdlib.h>

#include <backdoor/guest.h>

enum { REGION_SORT = 1, REGION_SEARCH = 2, ELEMENTS = 50000 };

static int compare(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

int main(void)
{
    static int values[ELEMENTS];
    unsigned seed = 1;
    for (int i = 0; i < ELEMENTS; i++) {
        seed = seed * 1103515245u + 12345u;
        values[i] = (int)(seed >> 8);
    }

    backdoor_roi_begin(REGION_SORT);
    qsort(values, ELEMENTS, sizeof values[0], compare);
    backdoor_roi_end(REGION_SORT);

    backdoor_mark(1, (backdoor_word_t)values[ELEMENTS / 2]);

    backdoor_roi_begin(REGION_SEARCH);
    int found = 0;
    for (int key = 0; key < 1 << 24; key += 1 << 10) {
        found += bsearch(&key, values, ELEMENTS, sizeof values[0], compare) != NULL;
    }
    backdoor_roi_end(REGION_SEARCH);

    backdoor_printf("workload: median %d, %d keys found\n", values[ELEMENTS / 2], found);
    return 0;
}
