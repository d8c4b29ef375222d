/* SPDX-License-Identifier: MIT */
/*
 * Opens a region, leaves a mark and some text, says "ready" and spins until
 * something outside ends the emulation (a signal, the monitor). With an
 * argument N it instead ends it itself: backdoor_exit(N).
 */
#include <stdio.h>
#include <stdlib.h>

#include <backdoor/guest.h>

int main(int argc, char **argv)
{
    backdoor_roi_begin(1);
    backdoor_mark(7, 42);
    backdoor_print("text before the end\n");
    printf("ready\n");
    fflush(stdout);
    if (argc > 1) {
        backdoor_exit(atoi(argv[1]));
        return 100;
    }
    for (volatile unsigned long i = 0;; i++) {
        if (i % 100000000 == 0) {
            backdoor_mark(8, i);
        }
    }
}
