/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Valgrind's client requests as an unmodified program issues them, built
 * against Debian's valgrind.h, callgrind.h and memcheck.h: Callgrind's
 * collection around two functions of known cost, VALGRIND_PRINTF, a
 * Memcheck request (ignored: its default comes back) and
 * RUNNING_ON_VALGRIND; then sequences entered in their middle, which must
 * not act. Run as "valgrind_requests N" (N iterations of the work, default
 * 1000); the same binary runs under Callgrind for the comparison.
 */
#include <stdio.h>
#include <stdlib.h>

#include <valgrind/callgrind.h>
#include <valgrind/memcheck.h>

static volatile unsigned long sink;

__attribute__((noinline)) static void hot_loop(long n)
{
    for (long i = 0; i < n; i++) {
        sink += (unsigned long)i * 7;
    }
}

__attribute__((noinline)) static void cold_loop(long n)
{
    for (long i = 0; i < n; i++) {
        sink ^= (unsigned long)i;
    }
}

/*
 * A RUNNING_ON_VALGRIND request whose preamble is entered at its third
 * rotate (whole: 0) or at the marker itself (1). Written here, not taken
 * from valgrind.h, which only emits whole sequences; the register the
 * preamble turns is clobbered, since a partial one does not turn it back.
 */
static unsigned long enter_midway(int at_marker)
{
    unsigned long block[6] = {0x1001, 0, 0, 0, 0, 0};
    unsigned long result = 99;
#if defined(__x86_64__)
    if (at_marker) {
        __asm__ volatile("jmp 1f\n\t"
                         "rolq $3, %%rdi\n\trolq $13, %%rdi\n\t"
                         "rolq $61, %%rdi\n\trolq $51, %%rdi\n"
                         "1:\txchgq %%rbx, %%rbx"
                         : "+d"(result) : "a"(block) : "rdi", "cc", "memory");
    } else {
        __asm__ volatile("jmp 1f\n\t"
                         "rolq $3, %%rdi\n\trolq $13, %%rdi\n"
                         "1:\trolq $61, %%rdi\n\trolq $51, %%rdi\n\t"
                         "xchgq %%rbx, %%rbx"
                         : "+d"(result) : "a"(block) : "rdi", "cc", "memory");
    }
#elif defined(__i386__)
    unsigned int r = (unsigned int)result;
    if (at_marker) {
        __asm__ volatile("jmp 1f\n\t"
                         "roll $3, %%edi\n\troll $13, %%edi\n\t"
                         "roll $29, %%edi\n\troll $19, %%edi\n"
                         "1:\txchgl %%ebx, %%ebx"
                         : "+d"(r) : "a"(block) : "edi", "cc", "memory");
    } else {
        __asm__ volatile("jmp 1f\n\t"
                         "roll $3, %%edi\n\troll $13, %%edi\n"
                         "1:\troll $29, %%edi\n\troll $19, %%edi\n\t"
                         "xchgl %%ebx, %%ebx"
                         : "+d"(r) : "a"(block) : "edi", "cc", "memory");
    }
    result = r;
#elif defined(__aarch64__)
    register unsigned long x3 __asm__("x3") = result;
    register unsigned long *x4 __asm__("x4") = block;
    if (at_marker) {
        __asm__ volatile("b 1f\n\t"
                         "ror x12, x12, #3\n\tror x12, x12, #13\n\t"
                         "ror x12, x12, #51\n\tror x12, x12, #61\n"
                         "1:\torr x10, x10, x10"
                         : "+r"(x3) : "r"(x4) : "x12", "cc", "memory");
    } else {
        __asm__ volatile("b 1f\n\t"
                         "ror x12, x12, #3\n\tror x12, x12, #13\n"
                         "1:\tror x12, x12, #51\n\tror x12, x12, #61\n\t"
                         "orr x10, x10, x10"
                         : "+r"(x3) : "r"(x4) : "x12", "cc", "memory");
    }
    result = x3;
#endif
    return result;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 1000;
    printf("running on valgrind: %u\n", (unsigned)RUNNING_ON_VALGRIND);

    CALLGRIND_START_INSTRUMENTATION;
    CALLGRIND_TOGGLE_COLLECT;
    hot_loop(3 * n);
    int printed = VALGRIND_PRINTF("guest says %d %s %.2f %lx|\n", 42, "hello", 2.5, 0xbeefUL);
    unsigned long ignored = VALGRIND_DO_CLIENT_REQUEST_EXPR(123, VG_USERREQ__MAKE_MEM_NOACCESS,
                                                            &sink, sizeof sink, 0, 0, 0);
    cold_loop(n);
    CALLGRIND_TOGGLE_COLLECT;
    CALLGRIND_STOP_INSTRUMENTATION;

    printf("printf returned %d\n", printed);
    printf("ignored request returned %lu\n", ignored);
    printf("entered midway: %lu %lu\n", enter_midway(0), enter_midway(1));
    return 0;
}
