/* SPDX-License-Identifier: MIT */
/*
 * The in-guest fuzzer (fuzz_requests.h) as a user program. Unmapped means
 * unmapped here: holes are made with munmap, because the plugin reads and
 * writes guest memory with debugger rights, which in user mode reach
 * PROT_NONE and read-only pages too (issue 12, item 1). Other holes: page 0
 * and, on 64-bit guests, the top of the address space, where a buffer may
 * also wrap around.
 *
 * Usage: fuzz_requests COUNT SEED MAX_BUFFER (MAX_BUFFER: the plugin's
 * max-buffer=). Prints one line of NAME=COUNT pairs that tests/
 * test_guest_fuzz.py compares with the plugin's summary and event log;
 * exits 0 when every result was the predicted one.
 */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#define FUZZ_PRINTF printf
#include "fuzz_requests.h"

#define SCRATCH_SIZE (16 * FUZZ_PAGE)
#define HOLE_SIZE (16 * FUZZ_PAGE)

static uintptr_t hole;

static backdoor_word_t fuzz_hole(void)
{
    switch (fuzz_below(4)) {
    case 0:
        return fuzz_below(FUZZ_PAGE);
#if UINTPTR_MAX > 0xffffffffu
    case 1:
        return (backdoor_word_t)(0xff00000000000000ull | fuzz_next64());
    case 2:
        return (backdoor_word_t)-1 - fuzz_below(FUZZ_PAGE);
#endif
    default:
        return hole + fuzz_below(HOLE_SIZE);
    }
}

static bool fuzz_arg3_known(bool abi32, bool constant)
{
#if defined(__x86_64__)
    (void)constant;
    return !abi32; /* a 32-bit request's arg3 is read from EBP: anything */
#elif defined(__i386__)
    (void)abi32;
    return !constant; /* the stubs leave EBP alone */
#else
    (void)abi32, (void)constant;
    return true;
#endif
}

int main(int argc, char **argv)
{
    unsigned long count = argc > 1 ? strtoul(argv[1], NULL, 0) : 100000;
    fuzz_rng = argc > 2 ? strtoull(argv[2], NULL, 0) : 1;
    fuzz_rng += fuzz_rng == 0;
    fuzz_max_buffer = argc > 3 ? (backdoor_word_t)strtoull(argv[3], NULL, 0) : 1u << 20;
#if defined(__i386__)
    fuzz_abi64 = false; /* qemu-i386 has no 64-bit registers to read them from */
#else
    fuzz_abi64 = true;
#endif

    /* Nothing maps memory after this, so the holes stay holes. */
    uint8_t *scratch = mmap(NULL, SCRATCH_SIZE + FUZZ_PAGE, PROT_READ | PROT_WRITE,
                            MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    uint8_t *holes = mmap(NULL, HOLE_SIZE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
#if FUZZ_CONSTANT_LEAF
    fuzz_stubs = mmap(NULL, FUZZ_STUBS_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC,
                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (fuzz_stubs == MAP_FAILED) {
        perror("mmap");
        return 2;
    }
#endif
    if (scratch == MAP_FAILED || holes == MAP_FAILED ||
        munmap(scratch + SCRATCH_SIZE, FUZZ_PAGE) != 0 || munmap(holes, HOLE_SIZE) != 0) {
        perror("mmap");
        return 2;
    }
    fuzz_scratch = (uintptr_t)scratch;
    fuzz_scratch_size = SCRATCH_SIZE;
    hole = (uintptr_t)holes;
    return fuzz_run(count) == 0 ? 0 : 1;
}
