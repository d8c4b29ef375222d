/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Every way into the plugin under one policy (issue 21): Valgrind's
 * client requests act as built-ins (VALGRIND_PRINTF prints, CALLGRIND_ZERO_STATS
 * resets, CALLGRIND_DUMP_STATS dumps, the collection requests open and close
 * a region), so deny= and allow-from= refuse them as they refuse the
 * built-ins. Region 5, a built-in one, holds a count that a reset would
 * zero. And a built-in without a result, denied, returns BACKDOOR_EPERM.
 */
#include <stdio.h>

#include <backdoor/guest.h>
#include <valgrind/callgrind.h>

static volatile unsigned long sink;

int main(void)
{
    backdoor_roi_begin(5);
    for (unsigned long i = 0; i < 1000; i++) {
        sink += i;
    }
    backdoor_roi_end(5);
    printf("running on valgrind: %u\n", (unsigned)RUNNING_ON_VALGRIND);
    CALLGRIND_TOGGLE_COLLECT;
    int printed = VALGRIND_PRINTF("guest says %d|\n", 42);
    CALLGRIND_TOGGLE_COLLECT;
    CALLGRIND_ZERO_STATS;
    CALLGRIND_DUMP_STATS;
    printf("printf returned %d\n", printed);
    printf("roi_begin returned %ld\n", (long)backdoor_call1(BACKDOOR_OP_ROI_BEGIN, 6, 0));
    printf("roi_end returned %ld\n", (long)backdoor_call1(BACKDOOR_OP_ROI_END, 6, 0));
    return 0;
}
