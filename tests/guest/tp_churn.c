/* SPDX-License-Identifier: MIT */
/*
 * An unprivileged process that makes guest threads by the million (issue
 * 21): it writes N distinct values to its thread pointer (x86-64 wrfsbase,
 * which Linux allows user code on CPUs with FSGSBASE; aarch64 msr
 * tpidr_el0), each a new (address space, thread pointer) pair to a plugin
 * that follows threads, and puts its own back before libc runs again.
 * It names itself first, as a program that uses the backdoor would: the
 * plugin follows threads from the first call on. Usage: tp_churn N
 * [silent]; "silent" makes no call at all. Prints "tp_churn: N" when done.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <backdoor/guest.h>

#if defined(__x86_64__) || defined(__aarch64__)

static uintptr_t read_tp(void)
{
    uintptr_t tp;
#if defined(__x86_64__)
    __asm__ volatile("rdfsbase %0" : "=r"(tp));
#elif defined(__aarch64__)
    __asm__ volatile("mrs %0, tpidr_el0" : "=r"(tp));
#endif
    return tp;
}

static void write_tp(uintptr_t tp)
{
#if defined(__x86_64__)
    __asm__ volatile("wrfsbase %0" : : "r"(tp) : "memory");
#else
    __asm__ volatile("msr tpidr_el0, %0" : : "r"(tp) : "memory");
#endif
}

int main(int argc, char **argv)
{
    unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 0) : 1000;
    if (argc < 3 || strcmp(argv[2], "silent") != 0) {
        backdoor_name_thread("tp_churn");
    }
    uintptr_t own = read_tp();
    for (unsigned long i = 1; i <= n; i++) {
        write_tp(0x10000000u + (uintptr_t)i * 64u); /* canonical, never dereferenced */
    }
    write_tp(own);
    printf("tp_churn: %lu\n", n);
    return 0;
}

#else

int main(void)
{
    fprintf(stderr, "tp_churn: x86-64 and aarch64 only\n");
    return 2;
}

#endif
