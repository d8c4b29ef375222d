/* SPDX-License-Identifier: MIT */
/*
 * The call loops of the user-mode benchmarks (bench/run.py): N iterations of
 * one kind of request, or of nothing, so that
 *     ns per call = (time of N calls - time of N empty iterations) / N.
 *
 * Usage: calls MODE N            run MODE N times
 *        calls MODE 0 SECONDS    run MODE as fast as it can for SECONDS
 *        calls MODE N 0 THREADS  N calls in each of THREADS threads
 * It prints "calls=<total> loop_ns=<ns>" (in-guest wall time of the loops).
 *
 * Modes, one magic instruction (CPUID) per iteration except "empty":
 *   empty        the loop alone, no CPUID
 *   i8           BACKDOOR_i8(7): type 0, constant, decoded when translated
 *   i8_v32       BACKDOOR_i8_v32(7, v): type 1, v known only at run time
 *   i8_v32_const BACKDOOR_i8_v32(5, 7): type 1, all constant (no register)
 *   i8_v32_rt    BACKDOOR_i8_v32(i8, v): leaf and v at run time
 *   call4        backdoor_sum(a, b, c, d): type 2, 4 run-time arguments and
 *                a result (the built-in sum)
 *   present      backdoor_present(): type 2, constant, a result
 *   mark         backdoor_mark(1, i): one event record per call
 *   add          backdoor_call2(0x900, i, a): a handler's command, 2 run-time
 *                arguments and a result (bench/handlers/add.c, add.py)
 * The run-time values come from volatile variables the compiler cannot see
 * through, so they reach CPUID in registers (docs/abi.md).
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <backdoor/guest.h>

volatile uint32_t opaque_i8 = 7, opaque_v = 1000;
volatile uint64_t opaque_words[4] = {1, 2, 3, 4};
volatile uint64_t sink;

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

typedef uint64_t (*loop_fn)(uint64_t n);

/* Every loop is its own function, so that each iteration is the same small
 * translation block whatever the mode. */
#define NOINLINE __attribute__((noinline))

static NOINLINE uint64_t loop_empty(uint64_t n)
{
    uint32_t v = opaque_v;
    for (uint64_t i = 0; i < n; i++)
        __asm__ __volatile__("" : : "r"(v + (uint32_t)i) : "memory");
    return n;
}

static NOINLINE uint64_t loop_i8(uint64_t n)
{
    for (uint64_t i = 0; i < n; i++)
        BACKDOOR_i8(7);
    return n;
}

static NOINLINE uint64_t loop_i8_v32(uint64_t n)
{
    uint32_t v = opaque_v;
    for (uint64_t i = 0; i < n; i++)
        BACKDOOR_i8_v32(7, v + (uint32_t)i);
    return n;
}

static NOINLINE uint64_t loop_i8_v32_const(uint64_t n)
{
    for (uint64_t i = 0; i < n; i++)
        BACKDOOR_i8_v32(5, 7);
    return n;
}

static NOINLINE uint64_t loop_i8_v32_rt(uint64_t n)
{
    uint32_t i8 = opaque_i8, v = opaque_v;
    for (uint64_t i = 0; i < n; i++)
        BACKDOOR_i8_v32(i8, v + (uint32_t)i);
    return n;
}

static NOINLINE uint64_t loop_call4(uint64_t n)
{
    uint64_t a = opaque_words[0], b = opaque_words[1], c = opaque_words[2];
    uint64_t total = 0;
    for (uint64_t i = 0; i < n; i++)
        total += backdoor_sum(i, a, b, c);
    sink = total;
    return n;
}

static NOINLINE uint64_t loop_present(uint64_t n)
{
    uint64_t total = 0;
    for (uint64_t i = 0; i < n; i++)
        total += backdoor_present();
    sink = total;
    return n;
}

static NOINLINE uint64_t loop_mark(uint64_t n)
{
    for (uint64_t i = 0; i < n; i++)
        backdoor_mark(1, i);
    return n;
}

static NOINLINE uint64_t loop_add(uint64_t n)
{
    uint64_t a = opaque_words[0], total = 0;
    for (uint64_t i = 0; i < n; i++)
        total += backdoor_call2(0x900, i, a, 0);
    sink = total;
    return n;
}

static const struct {
    const char *name;
    loop_fn fn;
} modes[] = {
    {"empty", loop_empty},         {"i8", loop_i8},
    {"i8_v32", loop_i8_v32},       {"i8_v32_const", loop_i8_v32_const},
    {"i8_v32_rt", loop_i8_v32_rt}, {"call4", loop_call4},
    {"present", loop_present},     {"mark", loop_mark},
    {"add", loop_add},
};

struct job {
    loop_fn fn;
    uint64_t n;
    double seconds;
    uint64_t done;
};

static void *run_job(void *arg)
{
    struct job *job = arg;
    if (job->seconds <= 0) {
        job->done = job->fn(job->n);
        return NULL;
    }
    /* Timed: chunks of 2^16 calls, then a look at the clock. */
    uint64_t start = now_ns(), limit = (uint64_t)(job->seconds * 1e9);
    do {
        job->done += job->fn(1u << 16);
    } while (now_ns() - start < limit);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: calls MODE N [SECONDS [THREADS]]\n");
        return 2;
    }
    loop_fn fn = NULL;
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++)
        if (strcmp(argv[1], modes[i].name) == 0)
            fn = modes[i].fn;
    if (fn == NULL) {
        fprintf(stderr, "calls: unknown mode %s\n", argv[1]);
        return 2;
    }
    uint64_t n = strtoull(argv[2], NULL, 0);
    double seconds = argc > 3 ? atof(argv[3]) : 0;
    int threads = argc > 4 ? atoi(argv[4]) : 1;
    if (threads < 1 || threads > 64)
        threads = 1;

    struct job jobs[64];
    pthread_t tids[64];
    uint64_t start = now_ns();
    for (int t = 0; t < threads; t++) {
        jobs[t] = (struct job){fn, n, seconds, 0};
        if (t > 0)
            pthread_create(&tids[t], NULL, run_job, &jobs[t]);
    }
    run_job(&jobs[0]);
    uint64_t total = jobs[0].done;
    for (int t = 1; t < threads; t++) {
        pthread_join(tids[t], NULL);
        total += jobs[t].done;
    }
    uint64_t elapsed = now_ns() - start;
    printf("calls=%llu loop_ns=%llu\n", (unsigned long long)total,
           (unsigned long long)elapsed);
    return 0;
}
