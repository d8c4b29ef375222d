/* SPDX-License-Identifier: MIT */
/*
 * The exit command racing other threads: THREADS threads call the channel
 * without pause (results, marks, regions, text, now and then a statistics
 * dump, so every output is being written) while the main thread calls
 * backdoor_exit(argv[1]) once all of them run. QEMU must end with that
 * status and every output must be complete and agree with the others; this
 * once freed the summary file under a writer ("free(): invalid pointer",
 * issue 12). Never returns on its own: exit status 1 means exit did nothing.
 */
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include <backdoor/guest.h>

enum { THREADS = 8 };

static int running, go;

static void *work(void *arg)
{
    backdoor_word_t index = (backdoor_word_t)(uintptr_t)arg;
    __atomic_add_fetch(&running, 1, __ATOMIC_SEQ_CST);
    while (!__atomic_load_n(&go, __ATOMIC_SEQ_CST)) {
    }
    for (backdoor_word_t i = 0;; i++) {
        backdoor_sum(index, i, 1, 2);
        backdoor_mark(index, i);
        if (i % 16 == 0) {
            backdoor_roi_begin(index);
            backdoor_print("racing\n");
            backdoor_roi_end(index);
        }
        if (i % 4096 == 0) {
            backdoor_stats_dump();
        }
    }
    return NULL;
}

int main(int argc, char **argv)
{
    pthread_t threads[THREADS];
    for (uintptr_t i = 0; i < THREADS; i++) {
        pthread_create(&threads[i], NULL, work, (void *)i);
    }
    while (__atomic_load_n(&running, __ATOMIC_SEQ_CST) < THREADS) {
    }
    /* All start together and get into their stride; the outputs stay
     * small enough to check quickly. */
    __atomic_store_n(&go, 1, __ATOMIC_SEQ_CST);
    nanosleep(&(struct timespec){.tv_nsec = 2 * 1000 * 1000}, NULL);
    backdoor_exit(argc > 1 ? atoi(argv[1]) : 3);
    return 1;
}
