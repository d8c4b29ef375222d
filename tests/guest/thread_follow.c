/* SPDX-License-Identifier: MIT */
/*
 * The same work in region 1, under four schedules (issue 13): "alone",
 * "migrate" (the program moves itself from CPU 0 to CPU 1 halfway),
 * "return" (as "migrate", having run on CPU 1 before its first call: CPU 1,
 * idle meanwhile, keeps its address space (Linux's lazy mm), so the move
 * back writes none; where a thread is its address space alone, riscv64,
 * nothing marks the return), and "busy", a process that only spins, to
 * share CPU 0 with an "alone" run.
 * Usage: thread_follow MODE [ITERATIONS]. Linux guests (x86-64, aarch64,
 * riscv64).
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <backdoor/guest.h>

static volatile unsigned long sink;

static void work(unsigned long n)
{
    for (unsigned long i = 0; i < n; i++) {
        sink += i ^ (sink >> 3);
    }
}

static int run_on(int cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return sched_setaffinity(0, sizeof set, &set);
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "alone";
    unsigned long n = argc > 2 ? strtoul(argv[2], NULL, 0) : 20000000;
    if (strcmp(mode, "busy") == 0) {
        for (;;) {
            sink++;
        }
    }
    bool back = strcmp(mode, "return") == 0;
    bool migrate = back || strcmp(mode, "migrate") == 0;
    if (back) {
        /* No call yet: nobody has asked which thread this is. */
        if (run_on(1) != 0) {
            perror("sched_setaffinity");
            return 1;
        }
        work(n / 100);
    }
    if (migrate && run_on(0) != 0) {
        perror("sched_setaffinity");
        return 1;
    }
    backdoor_name_thread(mode);
    backdoor_roi_begin(1);
    work(n / 2);
    if (migrate && run_on(1) != 0) {
        perror("sched_setaffinity");
        return 1;
    }
    work(n - n / 2);
    backdoor_roi_end(1);
    printf("thread_follow %s: cpu %d at the end\n", mode, sched_getcpu());
    return 0;
}
