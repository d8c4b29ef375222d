/* SPDX-License-Identifier: MIT */
/*
 * CPUID in a loop while a timer's signal keeps arriving: each answer must
 * be the same, and the handler (SA_SIGINFO, which reads its third argument,
 * the ucontext in RDX) must see its own registers, not a CPUID's answer
 * written over them.
 */
#define _GNU_SOURCE
#include <cpuid.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <ucontext.h>

static volatile unsigned long signals, bad_contexts;

static void on_alarm(int sig, siginfo_t *info, void *context)
{
    const ucontext_t *uc = context;
    if (sig != SIGALRM || info->si_signo != SIGALRM || uc == NULL ||
        uc->uc_mcontext.gregs[REG_RSP] == 0) {
        bad_contexts++;
    }
    signals++;
}

int main(int argc, char **argv)
{
    unsigned long rounds = argc > 1 ? strtoul(argv[1], NULL, 0) : 200000;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_alarm;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval every = {{0, 100}, {0, 100}};
    setitimer(ITIMER_REAL, &every, NULL);
    unsigned a0, b0, c0, d0, differing = 0;
    __cpuid(1, a0, b0, c0, d0);
    for (unsigned long i = 0; i < rounds; i++) {
        unsigned a, b, c, d;
        __cpuid(1, a, b, c, d);
        differing += a != a0 || b != b0 || c != c0 || d != d0;
    }
    struct itimerval off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &off, NULL);
    printf("leaf 1: %08x %08x %08x %08x; %u differing; %s signals, %lu bad contexts\n", a0,
           b0, c0, d0, differing, signals > 0 ? "some" : "no", bad_contexts);
    return differing != 0 || bad_contexts != 0;
}
