/* SPDX-License-Identifier: MIT */
/*
 * Threads that run one after another, each naming itself ("seq-N") and
 * running region 40 (issue 21): each is another thread, with its own row
 * and name, although QEMU's user mode gives them all the same vCPU index
 * and Linux the same address space and, through glibc's cache of thread
 * stacks, the same TLS address. Usage: sequential_threads [THREADS
 * [unnamed|silent]] (default 3; unnamed: the threads give no name, so only
 * their ends tell them apart; silent: they make no call at all, as most
 * programs' threads do). Prints where each thread's TLS was.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <backdoor/guest.h>

static volatile unsigned long sink;
static int named = 1, silent;
static __thread int tls_marker; /* its address: the thread's TLS block */

static void *work(void *arg)
{
    char name[16];
    snprintf(name, sizeof name, "seq-%d", (int)(intptr_t)arg);
    if (named && !silent) {
        backdoor_name_thread(name);
    }
    if (!silent) {
        backdoor_roi_begin(40);
    }
    for (unsigned long i = 0; i < 10000; i++) {
        sink += i;
    }
    if (!silent) {
        backdoor_roi_end(40);
    }
    printf("%s tls %p\n", name, (void *)&tls_marker);
    return NULL;
}

int main(int argc, char **argv)
{
    int threads = argc > 1 ? atoi(argv[1]) : 3;
    named = !(argc > 2 && strcmp(argv[2], "unnamed") == 0);
    silent = argc > 2 && strcmp(argv[2], "silent") == 0;
    for (int i = 0; i < threads; i++) {
        pthread_t t;
        if (pthread_create(&t, NULL, work, (void *)(intptr_t)i) != 0) {
            perror("pthread_create");
            return 2;
        }
        pthread_join(t, NULL);
    }
    printf("sequential threads done\n");
    return 0;
}
