/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A call tree whose shape is known, for the profile's call graph against
 * Callgrind's: direct recursion, mutual recursion, calls through function
 * pointers, a longjmp out of nested calls, and statistics dumps between
 * phases. Run as "valgrind_calls N [dumps]": N scales the work; with
 * "dumps", CALLGRIND_DUMP_STATS and _DUMP_STATS_AT end each phase and
 * CALLGRIND_ZERO_STATS drops one. The work is collected between two
 * CALLGRIND_TOGGLE_COLLECT (run with --collect-atstart=no), so start-up code,
 * which differs between Valgrind's and QEMU's CPUs, stays out. The same
 * binary runs under Callgrind.
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <valgrind/callgrind.h>

static volatile unsigned long sink;
static jmp_buf escape;

__attribute__((noinline)) static void leaf(long n)
{
    for (long i = 0; i < n; i++) {
        sink += (unsigned long)i * 3;
    }
}

__attribute__((noinline)) static long factorial(long n)
{
    leaf(2);
    if (n <= 1) {
        return 1;
    }
    long below = factorial(n - 1);
    sink += 1; /* after the call: real recursion, not a loop */
    return n * below;
}

static long is_odd(long n);

__attribute__((noinline)) static long is_even(long n)
{
    leaf(1);
    return n == 0 ? 1 : is_odd(n - 1);
}

__attribute__((noinline)) static long is_odd(long n)
{
    return n == 0 ? 0 : is_even(n - 1);
}

__attribute__((noinline)) static void square(long n)
{
    leaf(n);
}

__attribute__((noinline)) static void cube(long n)
{
    leaf(n);
    leaf(n);
}

__attribute__((noinline)) static void dive(long depth)
{
    leaf(3);
    if (depth <= 0) {
        if (sink != 1) { /* always: sink only grows past 1 */
            longjmp(escape, 1);
        }
        return;
    }
    dive(depth - 1);
    sink++; /* after the call: it stays a call, not a jump */
}

__attribute__((noinline)) static void escape_from_depth(long depth)
{
    if (setjmp(escape) == 0) {
        dive(depth);
    }
    leaf(5);
}

__attribute__((noinline)) static void phases(long n, int dumps)
{
    for (long i = 0; i < n; i++) {
        sink += (unsigned long)factorial(12);
    }
    if (dumps) {
        CALLGRIND_DUMP_STATS;
    }
    for (long i = 0; i < n; i++) {
        sink += (unsigned long)is_even(i % 20);
    }
    if (dumps) {
        CALLGRIND_DUMP_STATS_AT("after mutual recursion");
    }
    void (*const table[2])(long) = {square, cube};
    for (long i = 0; i < n; i++) {
        table[i & 1](i % 16);
    }
    if (dumps) {
        CALLGRIND_ZERO_STATS;
        leaf(100);
        CALLGRIND_DUMP_STATS;
    }
    for (long i = 0; i < n / 10 + 1; i++) {
        escape_from_depth(5 + i % 4);
    }
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 100;
    int dumps = argc > 2 && strcmp(argv[2], "dumps") == 0;
    CALLGRIND_TOGGLE_COLLECT;
    phases(n, dumps);
    CALLGRIND_TOGGLE_COLLECT;
    printf("done %d\n", sink != 0);
    return 0;
}
