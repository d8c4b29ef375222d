/* SPDX-License-Identifier: MIT */
/*
 * One region id on several guest threads at once: four threads and the
 * main thread each run region 30 around the same work, so the region has a
 * row per thread (vCPU) and a total. Usage: region_threads [spin]: with an
 * argument, spins afterwards until killed (for outputs after SIGTERM).
 */
#define _POSIX_C_SOURCE 200809L /* pthread barriers under -std=c11 */
#include <pthread.h>
#include <stdio.h>

#include <backdoor/guest.h>

#define THREADS 4

static pthread_barrier_t start;
static volatile unsigned long sink;

static void work(void)
{
    backdoor_roi_begin(30);
    for (unsigned long i = 0; i < 20000; i++) {
        sink += i;
    }
    backdoor_roi_end(30);
}

static void *thread(void *unused)
{
    (void)unused;
    backdoor_name_thread("worker");
    pthread_barrier_wait(&start);
    work();
    pthread_barrier_wait(&start);
    return NULL;
}

int main(int argc, char **argv)
{
    (void)argv;
    pthread_t threads[THREADS];
    pthread_barrier_init(&start, NULL, THREADS + 1);
    backdoor_name_thread("main\tthread"); /* the tab comes out as '?' */
    for (int i = 0; i < THREADS; i++) {
        pthread_create(&threads[i], NULL, thread, NULL);
    }
    pthread_barrier_wait(&start);
    work();
    pthread_barrier_wait(&start);
    for (int i = 0; i < THREADS; i++) {
        pthread_join(threads[i], NULL);
    }
    printf("regions done\n");
    fflush(stdout);
    while (argc > 1) {
        sink++;
    }
    return 0;
}
