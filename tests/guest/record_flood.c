/* SPDX-License-Identifier: MIT */
/*
 * Records of every length as fast as the guest can: marks with growing
 * values, regions, and print texts of 0 to 299 bytes, so that the event log
 * and the trace get records of ever-changing sizes. Says "ready" after the
 * first thousand, then goes on until something outside ends the emulation,
 * or for N rounds with an argument N.
 */
#include <stdio.h>
#include <stdlib.h>

#include <backdoor/guest.h>

int main(int argc, char **argv)
{
    static char text[450];
    for (int i = 0; i < 450; i++) {
        text[i] = (char)('a' + i % 26);
    }
    long rounds = argc > 1 ? atol(argv[1]) : -1;
    for (long i = 0; rounds < 0 || i < rounds; i++) {
        backdoor_mark((backdoor_word_t)(i % 5), (backdoor_word_t)i * 7919u);
        if (i % 7 == 0) {
            backdoor_roi_begin(3);
            backdoor_write(text + i % 300 / 2, (backdoor_word_t)(i % 300));
            backdoor_roi_end(3);
        }
        if (i == 1000) {
            printf("ready\n");
            fflush(stdout);
        }
    }
    return 0;
}
