/* SPDX-License-Identifier: MIT */
/*
 * Repeated string instructions in ring 0, each kind in a region of its
 * own (ids 1 to 6) and again with a zero count (ids 11 to 16), so that
 * count-reps=on can be checked per kind, whatever way QEMU splits a long
 * repetition: the kernel prints how many repetitions each made, and the
 * pair of regions must differ by what Callgrind's rule says
 * (tests/test_repeats.py).
 */
#include "backdoor/guest.h"
#include "console.h"
#include "kernel.h"
#include "repeated_strings.h"

#define SIZE 100000u
static unsigned char a[SIZE], b[SIZE];

/* The repeated instructions behind calls through one pointer type, so
 * that a region with count n and one with count 0 run the same code. */
static unsigned copy_bytes(unsigned n)
{
    return rep_movsb(b, a, n);
}

static unsigned fill_words(unsigned n)
{
    return rep_stosl(a + 64, 0x01020304, n);
}

static unsigned compare_to_difference(unsigned n)
{
    return repe_cmpsb(a + 30000, b + 30000, n); /* stops at byte 40000 */
}

static unsigned compare_equal(unsigned n)
{
    return repe_cmpsb(a + 50000, b + 50000, n); /* runs out */
}

static unsigned scan_found(unsigned n)
{
    return repne_scasw(a + 64, 0x0304, n); /* found at once */
}

static unsigned compare_down(unsigned n)
{
    return repe_cmpsl_down(a + 90000 - 4, b + 90000 - 4, n); /* runs out */
}

static const struct run {
    const char *what;
    unsigned (*op)(unsigned n);
    unsigned count;
} runs[] = {
    {"movsb", copy_bytes, SIZE},
    {"stosl", fill_words, 5000},
    {"repe cmpsb", compare_to_difference, 20000},
    {"repe cmpsb", compare_equal, 30000},
    {"repne scasw", scan_found, 4000},
    {"std repe cmpsl", compare_down, 9000},
};

/* One region around one call: the same instructions for every count. */
__attribute__((noinline)) static unsigned timed(unsigned id, unsigned (*op)(unsigned),
                                                unsigned n)
{
    backdoor_roi_begin(id);
    unsigned left = op(n);
    backdoor_roi_end(id);
    return left;
}

/* Region id runs the instruction with its count, region id + 10 with a
 * zero count: the difference is what the repetitions add. */
static void measure(unsigned id, const struct run *run)
{
    unsigned left = timed(id, run->op, run->count);
    timed(id + 10, run->op, 0);
    kprintf("region %u: %s count %u left %u\n", id, run->what, run->count, left);
}

int kernel_main(uint32_t magic, const void *multiboot_info)
{
    (void)magic, (void)multiboot_info;
    for (unsigned i = 0; i < SIZE; i++) {
        a[i] = (unsigned char)(i * 7);
    }
    for (unsigned i = 0; i < sizeof runs / sizeof runs[0]; i++) {
        if (i == 2) {
            b[40000] ^= 1; /* a[] from 64 to 20064 changed too: compare above */
        }
        measure(i + 1, &runs[i]);
    }
    return 0;
}
