/* SPDX-License-Identifier: MIT */
/*
 * The user's program of 'qemu-backdoor --linux' (tests/test_linux_command.py),
 * built static for every architecture and dynamic for x86-64, aarch64 and
 * riscv64 (build/guest/ARCH/linux_program-dynamic). Usage:
 *   linux_program args ARG...   each argument in brackets on stdout, one
 *                               line on stderr; exit status 3
 *   linux_program exit N        exit status N
 *   linux_program signal N      killed by signal N
 *   linux_program thread N      region 1 around N rounds of work in a
 *                               second thread (its count is the same in
 *                               user mode and in a Linux guest)
 *   linux_program forever       never ends
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <backdoor/guest.h>

static volatile unsigned long sink;

static void *work(void *arg)
{
    unsigned long n = *(unsigned long *)arg;
    backdoor_roi_begin(1);
    for (unsigned long i = 0; i < n; i++) {
        sink += i ^ (sink >> 3);
    }
    backdoor_roi_end(1);
    return NULL;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "args";
    if (strcmp(mode, "exit") == 0 && argc > 2) {
        return atoi(argv[2]);
    }
    if (strcmp(mode, "signal") == 0 && argc > 2) {
        fflush(stdout);
        signal(atoi(argv[2]), SIG_DFL);
        raise(atoi(argv[2]));
        return 0;
    }
    if (strcmp(mode, "thread") == 0) {
        unsigned long n = argc > 2 ? strtoul(argv[2], NULL, 0) : 1000000;
        pthread_t t;
        if (pthread_create(&t, NULL, work, &n) != 0 || pthread_join(t, NULL) != 0) {
            fprintf(stderr, "linux_program: no second thread\n");
            return 1;
        }
        printf("thread done\n");
        return 0;
    }
    if (strcmp(mode, "forever") == 0) {
        printf("forever\n");
        fflush(stdout);
        for (;;) {
            sink++;
        }
    }
    for (int i = 2; i < argc; i++) {
        printf("[%s]\n", argv[i]);
    }
    fprintf(stderr, "linux_program: %d arguments\n", argc - 2);
    return 3;
}
