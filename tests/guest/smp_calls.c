/* SPDX-License-Identifier: MIT */
/*
 * Calls with sequence numbers, for SMP exactness (issue 13): mark(ID, i) for
 * i = 0 .. N-1, then prints how many it made. Several copies run at once on
 * several vCPUs; every call must appear exactly once, in order per copy.
 * Usage: smp_calls ID N.
 */
#include <stdio.h>
#include <stdlib.h>

#include <backdoor/guest.h>

int main(int argc, char **argv)
{
    unsigned long id = argc > 1 ? strtoul(argv[1], NULL, 0) : 1;
    unsigned long n = argc > 2 ? strtoul(argv[2], NULL, 0) : 100000;
    for (unsigned long i = 0; i < n; i++) {
        backdoor_mark(id, i);
    }
    printf("smp_calls %lu: %lu calls\n", id, n);
    return 0;
}
