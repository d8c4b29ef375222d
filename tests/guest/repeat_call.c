/* SPDX-License-Identifier: MIT */
/*
 * Makes one handler call again and again: "repeat_call CMD COUNT [ARG]"
 * issues backdoor_call1(CMD, ARG) COUNT times and prints each result with
 * how often it came ("result -5 x3"), then "done". A call that ends the run
 * leaves "done" unprinted.
 */
#include <stdio.h>
#include <stdlib.h>

#include <backdoor/guest.h>

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: repeat_call CMD COUNT [ARG]\n");
        return 2;
    }
    uint16_t command = (uint16_t)strtoul(argv[1], NULL, 0);
    long count = strtol(argv[2], NULL, 0);
    backdoor_word_t arg = argc > 3 ? (backdoor_word_t)strtoull(argv[3], NULL, 0) : 0;
    long same = 0;
    backdoor_word_t last = 0;
    for (long i = 0; i < count; i++) {
        backdoor_word_t result = backdoor_call1(command, arg, BACKDOOR_ENOSYS);
        if (same > 0 && result != last) {
            printf("result %ld x%ld\n", (long)last, same);
            fflush(stdout);
            same = 0;
        }
        last = result;
        same++;
    }
    if (same > 0) {
        printf("result %ld x%ld\n", (long)last, same);
    }
    printf("done\n");
    return 0;
}
