/* SPDX-License-Identifier: MIT */
/*
 * Guest thread churn: ROUNDS rounds of THREADS short-lived threads, each
 * making CALLS calls and leaving, then joined. In user mode every thread is
 * a new vCPU, created while others run calls and others end; QEMU once died
 * of this ("QEMU internal SIGSEGV" in the plugin's vCPU initialisation,
 * issue 12). Usage: thread_churn [THREADS [ROUNDS]] (default 32 and 20,
 * THREADS at most 256). Prints how many calls it made; exits 0 when every
 * result was right.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include <backdoor/guest.h>

enum { MAX_THREADS = 256, CALLS = 8 };

static void *work(void *arg)
{
    backdoor_word_t index = (backdoor_word_t)(uintptr_t)arg;
    long wrong = 0;
    for (backdoor_word_t i = 0; i < CALLS / 2; i++) {
        wrong += backdoor_sum(index, i, 1, 2) != index + i + 3;
        backdoor_mark(index, i);
    }
    return (void *)(uintptr_t)wrong;
}

int main(int argc, char **argv)
{
    int threads = argc > 1 ? atoi(argv[1]) : 32;
    int rounds = argc > 2 ? atoi(argv[2]) : 20;
    if (threads < 1 || threads > MAX_THREADS) {
        fprintf(stderr, "usage: thread_churn [THREADS (1..%d) [ROUNDS]]\n", MAX_THREADS);
        return 2;
    }
    long wrong = 0, calls = 0;
    for (int round = 0; round < rounds; round++) {
        pthread_t thread[MAX_THREADS];
        for (int i = 0; i < threads; i++) {
            if (pthread_create(&thread[i], NULL, work, (void *)(uintptr_t)i) != 0) {
                perror("pthread_create");
                return 2;
            }
        }
        for (int i = 0; i < threads; i++) {
            void *result;
            pthread_join(thread[i], &result);
            wrong += (long)(uintptr_t)result;
            calls += CALLS;
        }
    }
    printf("calls=%ld wrong=%ld\n", calls, wrong);
    return wrong == 0 ? 0 : 1;
}
