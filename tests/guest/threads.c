/* SPDX-License-Identifier: MIT */
/*
 * Calls from several guest threads at once (each a vCPU in user mode): round
 * trips through the handler, its memory-write service on each thread's own
 * buffer, and the vCPU index it reports. Exits 0 when every result was right
 * and the threads saw distinct vCPUs.
 */
#include <pthread.h>
#include <stdio.h>

#include <backdoor/guest.h>

#include "test_commands.h"

enum { THREADS = 4, CALLS = 20000 };

struct worker {
    pthread_t thread;
    unsigned index;
    long bad;
    backdoor_word_t vcpu;
    uint64_t buffer;
};

static void *work(void *arg)
{
    struct worker *w = arg;
    uint64_t state = 0x9e3779b97f4a7c15ull * (w->index + 1);
    w->vcpu = backdoor_call0(CMD_VCPU, (backdoor_word_t)-1);
    for (long i = 0; i < CALLS; i++) {
        state ^= state << 13, state ^= state >> 7, state ^= state << 17;
        backdoor_word_t a0 = (backdoor_word_t)state, a1 = (backdoor_word_t)(state >> 3);
        if (backdoor_call4(CMD_MIX, a0, a1, w->index, i, 0) !=
            (backdoor_word_t)test_mix(a0, a1, w->index, (uint64_t)i)) {
            w->bad++;
        }
        if (i % 1000 == 0) {
            backdoor_word_t value = (backdoor_word_t)(w->index * 1000003u + (unsigned long)i);
            backdoor_call3(CMD_WRITE_MEM, (uintptr_t)&w->buffer, sizeof(backdoor_word_t),
                           value, 1);
            if ((backdoor_word_t)w->buffer != value) {
                w->bad++;
            }
        }
    }
    return NULL;
}

int main(void)
{
    struct worker workers[THREADS];
    for (unsigned i = 0; i < THREADS; i++) {
        workers[i] = (struct worker){.index = i};
        pthread_create(&workers[i].thread, NULL, work, &workers[i]);
    }
    long bad = 0;
    int distinct = 1;
    for (unsigned i = 0; i < THREADS; i++) {
        pthread_join(workers[i].thread, NULL);
        bad += workers[i].bad;
        for (unsigned j = 0; j < i; j++) {
            distinct &= workers[i].vcpu != workers[j].vcpu;
        }
    }
    printf("%d threads x %d calls: %ld wrong, vCPUs %s\n", THREADS, CALLS, bad,
           distinct ? "distinct" : "SHARED");
    return bad == 0 && distinct ? 0 : 1;
}
