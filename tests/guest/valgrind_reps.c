/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Repeated string instructions of every kind inside a Callgrind collection,
 * so that their count under count-reps=on can be compared with Callgrind's
 * Ir on the same binary: a copy longer than QEMU repeats in one go, zero
 * counts, compares stopped by a difference, by the count, and by both at
 * once, scans that find and that do not, and a count in ECX (address-size
 * prefix). "valgrind_reps N [lods]": the long copy's length (default
 * 200000); "lods" adds a rep lodsb of 17 bytes, which Valgrind executes as
 * a single lodsb (its result differs from the hardware's).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <valgrind/callgrind.h>

#include "repeated_strings.h"

#define SIZE 300000
static unsigned char a[SIZE], b[SIZE];

#if defined(__x86_64__)
/* The count in ECX: the upper half of RCX is set and must not count. */
static size_t stosb_addr32(void *dst, size_t n)
{
    size_t count = n | 0xabcd00000000ull;
    __asm__ volatile("addr32 rep stosb" : "+D"(dst), "+c"(count) : "a"(0x55) : "memory");
    return count;
}
#endif

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? strtoul(argv[1], NULL, 0) : 200000;
    if (n > SIZE) {
        n = SIZE;
    }
    memset(a, 'x', sizeof a);
    size_t check = 0;

    CALLGRIND_TOGGLE_COLLECT;
    check += rep_movsb(b, a, n);
    check += rep_movsb(b, a, 0);
    check += rep_stosl(a + 4096, 0x01020304, 1000);
    if (argc > 2 && strcmp(argv[2], "lods") == 0) {
        check += rep_lodsb(a, 17);
    }
    b[777] = 'y';
    check += repe_cmpsb(a, b, 2000);        /* stops at the difference */
    check += repe_cmpsb(a + 20000, b + 20000, 3000); /* the count runs out */
    check += repe_cmpsb(a, b, 778);         /* both on the last byte */
    check += repe_cmpsb(a, b, 0);
    check += repne_scasb(b, 'y', 5000);     /* found */
    check += repne_scasb(a + 20000, 'q', 1234); /* not found */
#if defined(__x86_64__)
    check += stosb_addr32(a + 9000, 4321);
#endif
    CALLGRIND_TOGGLE_COLLECT;

    printf("check %zu\n", check);
    return 0;
}
