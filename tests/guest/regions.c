/* SPDX-License-Identifier: MIT */
/*
 * Region semantics (docs/abi.md, "Regions of interest"): nesting of one id,
 * overlapping ids, an end without a begin, a region left open at exit, marks,
 * a statistics reset and dump, and regions on two guest threads (two vCPUs).
 */
#include <pthread.h>
#include <stdio.h>

#include <backdoor/guest.h>

static volatile unsigned long sink;

__attribute__((noinline)) static void work(unsigned long n)
{
    for (unsigned long i = 0; i < n; i++) {
        sink += i;
    }
}

static void *thread(void *arg)
{
    backdoor_roi_begin(20);
    work((unsigned long)(uintptr_t)arg);
    backdoor_roi_end(20);
    return NULL;
}

int main(void)
{
    backdoor_roi_begin(99);          /* reset below: only counts after it */
    work(1000);
    backdoor_stats_reset();

    backdoor_roi_begin(1);           /* id 1, entered twice in a row */
    work(1000);
    backdoor_roi_begin(1);           /* nested: depth 2, not a new entry */
    work(1000);
    backdoor_roi_end(1);
    work(1000);
    backdoor_roi_end(1);
    backdoor_roi_begin(1);
    work(500);
    backdoor_roi_end(1);

    backdoor_roi_begin(2);           /* 2 and 3 overlap */
    work(100);
    backdoor_roi_begin(3);
    work(100);
    backdoor_roi_end(2);
    work(100);
    backdoor_roi_end(3);

    backdoor_roi_end(9);             /* never begun */
    backdoor_mark(7, 1);
    backdoor_mark(7, 2);
    backdoor_mark(8, 5);
    backdoor_stats_dump();

    pthread_t t;
    pthread_create(&t, NULL, thread, (void *)(uintptr_t)2000);
    pthread_join(t, NULL);

    backdoor_roi_begin(5);           /* still open at exit */
    work(100);
    printf("done\n");
    return 0;
}
