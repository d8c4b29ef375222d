/* SPDX-License-Identifier: MIT */
/*
 * A program that checkpoints (tests/test_checkpoint.py), as a gem5 user's
 * benchmark does: warm up, open region 5, checkpoint NAME, open region 6,
 * then read its input from the host (readfile=) and work as much as it
 * says, close both regions. Region 5 less region 6 is what came before the
 * checkpoint, in the saving run and in every restored one. Usage:
 *   checkpoint NAME [WARM]   prints "checkpoint NAME: R" (R the call's
 *                            result); exits 10 in the run that saved, and
 *                            in a restored run with the number its input
 *                            begins with (or 20 without input)
 *   checkpoint bad NAME      prints the result of checkpoint NAME; exits 0
 *   checkpoint handler NAME  calls command 0x900 (a counting handler) and
 *                            prints its answer, checkpoints NAME, and
 *                            calls and prints again; exits 0
 *   checkpoint fresh         checkpoints "fresh", a name in a page of its
 *                            own that nothing read before, and a restored
 *                            run reads its input into a .bss page nothing
 *                            touched before: a program built with -O2
 *                            passes both to the host untouched; prints the
 *                            result and the input, exits 0
 *   checkpoint time NAME     checkpoints NAME, then prints the host's
 *                            CLOCK_REALTIME ns (make bench row 13: how
 *                            long a restore takes to reach the program)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <backdoor/guest.h>

static volatile unsigned long sink;

/* Pages of their own, so that nothing else maps them first: the name in the
 * middle of 192 KiB, out of reach of Linux's fault-around (which maps the
 * 64 KiB around a faulting file page). */
#define PAGE 4096
#define AROUND 65536
static const char fresh_block[3 * AROUND] __attribute__((aligned(AROUND))) = {
    [AROUND] = 'f', [AROUND + 1] = 'r', [AROUND + 2] = 'e', [AROUND + 3] = 's',
    [AROUND + 4] = 'h'};
#define fresh_name (fresh_block + AROUND)
static char fresh_input[3 * PAGE] __attribute__((aligned(PAGE)));

static void work(unsigned long rounds)
{
    for (unsigned long i = 0; i < rounds; i++) {
        sink += i ^ (sink >> 3);
    }
}

int main(int argc, char **argv)
{
    if (argc > 2 && strcmp(argv[1], "time") == 0) {
        backdoor_word_t r = backdoor_checkpoint(argv[2]);
        printf("%llu\n", (unsigned long long)backdoor_host_time_ns());
        return r == 1 ? 0 : 10;
    }
    if (argc > 1 && strcmp(argv[1], "fresh") == 0) {
        backdoor_word_t r = backdoor_checkpoint(fresh_name);
        printf("checkpoint fresh: %ld\n", (long)r);
        if (r == 1) {
            backdoor_word_t n = backdoor_readfile(fresh_input + PAGE, 16, 0);
            printf("read %ld: %.*s", (long)n, BACKDOOR_IS_ERROR(n) ? 0 : (int)n,
                   fresh_input + PAGE);
        }
        return 0;
    }
    if (argc > 2 && strcmp(argv[1], "handler") == 0) {
        printf("before %ld\n", (long)backdoor_call0(0x900, BACKDOOR_ENOSYS));
        backdoor_word_t r = backdoor_checkpoint(argv[2]);
        printf("checkpoint %s: %ld\nafter %ld\n", argv[2], (long)r,
               (long)backdoor_call0(0x900, BACKDOOR_ENOSYS));
        return 0;
    }
    if (argc > 2 && strcmp(argv[1], "bad") == 0) {
        printf("checkpoint %s: %ld\n", argv[2], (long)backdoor_checkpoint(argv[2]));
        return 0;
    }
    const char *name = argc > 1 ? argv[1] : "warm";
    work(argc > 2 ? strtoul(argv[2], NULL, 0) : 1000000);
    backdoor_roi_begin(5);
    work(100000);
    backdoor_word_t r = backdoor_checkpoint(name);
    backdoor_roi_begin(6);
    printf("checkpoint %s: %ld\n", name, (long)r);
    fflush(stdout);
    if (r != 1) {
        backdoor_roi_end(6);
        backdoor_roi_end(5);
        return r == 0 ? 10 : 2;
    }
    char input[64] = "";
    backdoor_word_t n = backdoor_readfile(input, sizeof input - 1, 0);
    int status = 20;
    if (!BACKDOOR_IS_ERROR(n) && n > 0) {
        input[n] = '\0';
        status = atoi(input);
    }
    work((unsigned long)status * 10000);
    backdoor_roi_end(6);
    backdoor_roi_end(5);
    printf("input %d\n", status);
    return status;
}
