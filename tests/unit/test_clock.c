/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The records' clock (plugin/output/clock.c) on this host: in threads that
 * read it as fast as they can for 300 ms, through the first millisecond
 * (CLOCK_MONOTONIC itself), the calibration and some 300 anchors each, every
 * value lies between CLOCK_MONOTONIC read just before and just after it
 * (give or take the extrapolation: 5 us allowed, some 30 ns seen), and no
 * thread's values ever decrease. Then clock_continue_from, as a restored
 * checkpoint calls it, sets the clock back.
 */
#include <pthread.h>
#include <stdio.h>
#include <time.h>

#include "output/clock.h"
#include "unit.h"

#define THREADS 3
#define RUN_NS 300000000ull
#define SLACK_NS 5000ull

/* CLOCK_MONOTONIC just before and just after clock_start: its zero lies
 * between (clock_start asks CPUID, which a virtual machine may take some
 * microseconds to answer). */
static uint64_t start_before, start_after;

static uint64_t monotonic(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

struct result {
    unsigned long reads, backwards, early, late;
    uint64_t worst;
};

static void *reader(void *arg)
{
    struct result *r = arg;
    uint64_t last = 0;
    for (;;) {
        uint64_t before = monotonic() - start_after;
        uint64_t now = now_ns();
        uint64_t after = monotonic() - start_before;
        r->reads++;
        r->backwards += now < last;
        r->early += now + SLACK_NS < before;
        r->late += now > after + SLACK_NS;
        uint64_t off = now < before ? before - now : now > after ? now - after : 0;
        r->worst = off > r->worst ? off : r->worst;
        last = now;
        if (after > RUN_NS) {
            return NULL;
        }
        /* Plain reads too, as a record loop does them. */
        for (int i = 0; i < 100; i++) {
            uint64_t t = now_ns();
            r->backwards += t < last;
            last = t;
        }
    }
}

int main(void)
{
    start_before = monotonic();
    clock_start();
    start_after = monotonic();
    pthread_t threads[THREADS];
    struct result results[THREADS] = {{0}};
    for (int i = 0; i < THREADS; i++) {
        CHECK(pthread_create(&threads[i], NULL, reader, &results[i]) == 0);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(threads[i], NULL);
        struct result *r = &results[i];
        printf("thread %d: %lu reads, farthest from CLOCK_MONOTONIC %llu ns\n", i, r->reads,
               (unsigned long long)r->worst);
        CHECK(r->reads > 1000);
        CHECK_EQ(r->backwards, 0);
        CHECK_EQ(r->early, 0);
        CHECK_EQ(r->late, 0);
    }
    printf("the clock reads %s\n", clock_uses_tsc() ? "the TSC" : "CLOCK_MONOTONIC");
    /* A restored checkpoint's clock goes on from its saved time, here
     * earlier than this run's: from there on, in this thread too. */
    clock_continue_from(1000000);
    uint64_t before = monotonic(), restored = now_ns();
    CHECK(restored >= 1000000 && restored < 1000000 + SLACK_NS);
    struct timespec pause = {0, 5000000};
    nanosleep(&pause, NULL);
    uint64_t later = now_ns(), after = monotonic();
    CHECK(later >= restored + 5000000 && later - restored <= after - before + SLACK_NS);
    return unit_report("test_clock");
}
