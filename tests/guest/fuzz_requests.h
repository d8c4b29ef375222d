/* SPDX-License-Identifier: MIT */
/*
 * The in-guest fuzzer, shared by the user program (tests/guest/
 * fuzz_requests.c) and the x86 bare-metal kernel (tests/baremetal/x86/
 * kernels/fuzz_requests.c): random requests over every leaf of the backdoor
 * range and beyond, with random selectors (tagged or not, built-in, unknown
 * and handler commands), argument words and buffers that are good, empty,
 * too long, unmapped or running off the end of a mapping. For each request
 * it predicts from the ABI alone (backdoor/ops.h, docs/abi.md) how the
 * plugin must count it and what it must write back, checks the result
 * register and counts by kind, for the tests to compare with the plugin's
 * summary and event log. On x86 half of the requests in the range carry
 * their leaf as an immediate right before CPUID, so that every leaf is
 * decoded at translation time too. Meant to run without a handler.
 *
 * Freestanding. The includer defines FUZZ_PRINTF (a printf) and provides:
 *   fuzz_scratch, fuzz_scratch_size  memory the host may read and write; the
 *                                    page after it must be unmapped
 *   fuzz_stubs                       FUZZ_STUBS_SIZE bytes the code may be
 *                                    written to and run from (x86)
 *   fuzz_hole()                      an address at which a buffer of any
 *                                    length fails: its first page unmapped
 *   fuzz_abi64                       whether requests without abi32 decode
 *   fuzz_arg3_known(abi32, constant) whether the plugin reads the arg3 given
 */
#ifndef TESTS_FUZZ_REQUESTS_H
#define TESTS_FUZZ_REQUESTS_H

#include <stdbool.h>
#include <stdint.h>

#include <backdoor/guest.h>

#define FUZZ_PAGE 4096u
/* stats_dump writes every region and mark: a few are enough. */
#define FUZZ_MAX_DUMPS 8

static uintptr_t fuzz_scratch;
static uint32_t fuzz_scratch_size;
static backdoor_word_t fuzz_max_buffer;
static bool fuzz_abi64;
static backdoor_word_t fuzz_hole(void);
static bool fuzz_arg3_known(bool abi32, bool constant);

/* What the plugin must make of one request. */
enum fuzz_outcome { FUZZ_NOT_OURS, FUZZ_PROBE, FUZZ_MALFORMED, FUZZ_DISPATCHED };

struct fuzz_expect {
    enum fuzz_outcome outcome;
    unsigned type;
    enum backdoor_status status;
    unsigned command;
    bool writes_result; /* the result register changes */
    bool result_known;  /* ... to exactly result */
    backdoor_word_t result;
};

static const struct {
    bool exists;
    unsigned type, nargs;
    bool result;
} fuzz_builtins[64] = {
#define FUZZ_BUILTIN_ROW(NAME, name, number, type, nargs, result, doc) \
    [number] = {true, BACKDOOR_TYPE_##type, nargs, result},
    BACKDOOR_OPS(FUZZ_BUILTIN_ROW)
#undef FUZZ_BUILTIN_ROW
};
#define FUZZ_BUILTIN_SLOTS (sizeof fuzz_builtins / sizeof fuzz_builtins[0])

static uint64_t fuzz_rng = 1;

static uint64_t fuzz_next64(void)
{
    fuzz_rng ^= fuzz_rng << 13;
    fuzz_rng ^= fuzz_rng >> 7;
    fuzz_rng ^= fuzz_rng << 17;
    return fuzz_rng;
}

/* 32-bit arithmetic only: bare-metal i386 has no 64-bit division. */
static uint32_t fuzz_below(uint32_t n)
{
    return (uint32_t)(fuzz_next64() >> 32) % n;
}

static backdoor_word_t fuzz_word(void)
{
    return (backdoor_word_t)fuzz_next64();
}

/* Only a buffer wholly inside the scratch area (or an empty one) can be
 * accessed: every other buffer made below starts on an unmapped page or
 * runs into the unmapped page after the scratch area. */
static bool fuzz_accessible(backdoor_word_t addr, backdoor_word_t len)
{
    return len == 0 || (addr >= fuzz_scratch && addr - fuzz_scratch < fuzz_scratch_size &&
                        len <= fuzz_scratch_size - (addr - fuzz_scratch));
}

static void fuzz_make_buffer(backdoor_word_t *addr, backdoor_word_t *len)
{
    uint32_t off;
    switch (fuzz_below(8)) {
    case 0:
    case 1:
    case 2: /* inside the scratch area */
        off = fuzz_below(fuzz_scratch_size);
        *addr = fuzz_scratch + off;
        *len = fuzz_below(fuzz_scratch_size - off + 1);
        break;
    case 3: /* empty, anywhere */
        *addr = fuzz_word();
        *len = 0;
        break;
    case 4:
    case 5: /* unmapped */
        *addr = fuzz_hole();
        *len = 1 + fuzz_below(2 * (uint32_t)fuzz_max_buffer);
        break;
    case 6: /* from the scratch area into the unmapped page after it */
        off = 1 + fuzz_below(FUZZ_PAGE);
        *addr = fuzz_scratch + fuzz_scratch_size - off;
        *len = off + 1 + fuzz_below(FUZZ_PAGE);
        break;
    default: /* longer than max-buffer */
        *addr = fuzz_word();
        *len = fuzz_max_buffer + 1 + fuzz_word() % ((backdoor_word_t)-1 - fuzz_max_buffer);
        break;
    }
}

/* Mostly tagged selectors, commands mostly built-ins (and 0). */
static uint32_t fuzz_make_selector(void)
{
    uint32_t p = fuzz_below(20);
    if (p < 2) {
        return (uint32_t)fuzz_next64();
    }
    if (p < 12) {
        return BACKDOOR_SELECTOR(fuzz_below(16));
    }
    if (p < 14) {
        return BACKDOOR_SELECTOR(fuzz_below(BACKDOOR_USER_COMMAND_FIRST));
    }
    return BACKDOOR_SELECTOR(BACKDOOR_USER_COMMAND_FIRST +
                             fuzz_below(0x10000 - BACKDOOR_USER_COMMAND_FIRST));
}

static uint32_t fuzz_extended_leaf(uint32_t type, uint32_t nargs)
{
#if defined(__i386__)
    bool abi32 = fuzz_below(10) != 0; /* what 32-bit code sets */
#else
    bool abi32 = fuzz_below(4) == 0;
#endif
    return BACKDOOR_LEAF(type, BACKDOOR_EXT_MAGIC | (abi32 ? BACKDOOR_EXT_ABI32 : 0) | nargs);
}

static void fuzz_make_request(uint32_t *leaf, uint32_t *selector)
{
    uint32_t p = fuzz_below(100);
    *selector = fuzz_make_selector();
    if (p < 8) {
        *leaf = (uint32_t)fuzz_next64();
    } else if (p < 20) {
        *leaf = BACKDOOR_LEAF_BASE + fuzz_below(0x1000);
    } else if (p < 25) {
        *leaf = BACKDOOR_LEAF(fuzz_below(16), 0);
    } else if (p < 40) {
        *leaf = BACKDOOR_LEAF(fuzz_below(2), 1 + fuzz_below(255));
    } else if (p < 60) {
        /* A built-in as the ABI defines it, so that many calls run. */
        uint32_t command;
        do {
            command = fuzz_below(FUZZ_BUILTIN_SLOTS);
        } while (!fuzz_builtins[command].exists);
        *leaf = fuzz_extended_leaf(fuzz_builtins[command].type, fuzz_builtins[command].nargs);
        *selector = BACKDOOR_SELECTOR(command);
    } else {
        uint32_t type = BACKDOOR_TYPE_CALL + fuzz_below(3);
        *leaf = fuzz_extended_leaf(type, type == BACKDOOR_TYPE_CALL ? fuzz_below(5)
                                                                    : 2 + fuzz_below(3));
    }
}

/* The ABI's answer for a request, worked out from docs/abi.md. */
static struct fuzz_expect fuzz_classify(uint32_t leaf, uint32_t selector,
                                        const backdoor_word_t *a, bool constant)
{
    struct fuzz_expect e = {.outcome = FUZZ_NOT_OURS};
    if (leaf < BACKDOOR_LEAF_BASE || leaf > BACKDOOR_LEAF_LAST) {
        return e;
    }
    unsigned type = (leaf >> 8) & 0xf, i8 = leaf & 0xff;
    if (i8 == 0) {
        e.outcome = FUZZ_PROBE;
        return e;
    }
    e.outcome = FUZZ_MALFORMED;
    if (type > BACKDOOR_TYPE_RECV) {
        return e;
    }
    e.type = type;
    if (type == BACKDOOR_TYPE_I8 || type == BACKDOOR_TYPE_I8_V32) {
        /* Nothing receives seed calls here; they return nothing. */
        e.outcome = FUZZ_DISPATCHED;
        e.status = BACKDOOR_STATUS_UNHANDLED;
        return e;
    }
    unsigned nargs = i8 & 7;
    bool abi32 = (i8 & BACKDOOR_EXT_ABI32) != 0;
    if ((i8 & 0xf0) != BACKDOOR_EXT_MAGIC || nargs > BACKDOOR_EXT_MAX_ARGS ||
        (type != BACKDOOR_TYPE_CALL && nargs < 2) || (!abi32 && !fuzz_abi64) ||
        (selector >> 16) != BACKDOOR_TAG || (selector & 0xffff) == 0) {
        return e;
    }
    e.outcome = FUZZ_DISPATCHED;
    e.command = selector & 0xffff;
    e.writes_result = e.result_known = true;
    bool builtin = e.command < BACKDOOR_USER_COMMAND_FIRST;
    if (builtin) {
        if (e.command >= FUZZ_BUILTIN_SLOTS || !fuzz_builtins[e.command].exists) {
            e.status = BACKDOOR_STATUS_UNHANDLED;
            e.result = (backdoor_word_t)BACKDOOR_ENOSYS;
            return e;
        }
        if (fuzz_builtins[e.command].type != type || fuzz_builtins[e.command].nargs != nargs) {
            /* Every failure reaches the guest, also from a built-in
             * without a result (issue 21). */
            e.status = BACKDOOR_STATUS_INVALID;
            e.result = (backdoor_word_t)BACKDOOR_EINVAL;
            return e;
        }
    }
    /* Buffers are checked before the command runs, handler commands too. */
    if (type != BACKDOOR_TYPE_CALL) {
        if (a[1] > fuzz_max_buffer) {
            e.status = BACKDOOR_STATUS_TOO_BIG;
            e.result = (backdoor_word_t)BACKDOOR_E2BIG;
            return e;
        }
        if (!fuzz_accessible(a[0], a[1])) {
            e.status = BACKDOOR_STATUS_FAULT;
            e.result = (backdoor_word_t)BACKDOOR_EFAULT;
            return e;
        }
    }
    /* The fuzzed runs give neither readfile= nor outdir=: nobody answers
     * the file commands. */
    if (!builtin || e.command == BACKDOOR_OP_READFILE || e.command == BACKDOOR_OP_WRITEFILE) {
        e.status = BACKDOOR_STATUS_UNHANDLED;
        e.result = (backdoor_word_t)BACKDOOR_ENOSYS;
        return e;
    }
    /* Nor checkpoint-dir=: no checkpoint, whatever the name. */
    if (e.command == BACKDOOR_OP_CHECKPOINT) {
        e.status = BACKDOOR_STATUS_NO_CHECKPOINT;
        e.result = (backdoor_word_t)BACKDOOR_ENOSYS;
        return e;
    }
    e.status = BACKDOOR_STATUS_OK;
    e.writes_result = fuzz_builtins[e.command].result;
    switch (e.command) {
    case BACKDOOR_OP_PRESENT:
        e.result = BACKDOOR_PROTOCOL_VERSION;
        break;
    case BACKDOOR_OP_SUM: {
        backdoor_word_t sum = a[0] + a[1] + a[2] + a[3];
        e.result = abi32 ? (uint32_t)sum : sum;
        e.result_known = fuzz_arg3_known(abi32, constant);
        break;
    }
    case BACKDOOR_OP_PRINT:
        e.result = a[1];
        break;
    case BACKDOOR_OP_HOST_TIME_NS:
        e.result = a[1] < 8 ? a[1] : 8;
        break;
    default: /* features, host_info: checked by the caller or not at all */
        e.result_known = false;
        break;
    }
    return e;
}

#if defined(__x86_64__) || defined(__i386__)
/*
 * The request with its leaf as an immediate loaded right before CPUID, as
 * guest.h emits constant requests, so that translation decodes it: one stub
 * "mov $LEAF, %eax; cpuid; ret" per leaf of the range (4096 cases compiled
 * in would cost a minute of compilation). The selector and arguments stay
 * in registers, arg3 only where R8 holds it. x86-64 code may keep data in
 * the 128 bytes below the stack pointer, which the call would overwrite.
 */
#define FUZZ_STUB_SIZE 8u
#define FUZZ_STUBS_SIZE (FUZZ_STUB_SIZE * (BACKDOOR_LEAF_LAST - BACKDOOR_LEAF_BASE + 1))
#define FUZZ_CONSTANT_LEAF 1

static uint8_t *fuzz_stubs;

static void fuzz_write_stubs(void)
{
    for (uint32_t i = 0; i <= BACKDOOR_LEAF_LAST - BACKDOOR_LEAF_BASE; i++) {
        uint8_t *p = fuzz_stubs + FUZZ_STUB_SIZE * i;
        uint32_t leaf = BACKDOOR_LEAF_BASE + i;
        p[0] = 0xb8;
        for (int b = 0; b < 4; b++) {
            p[1 + b] = (uint8_t)(leaf >> (8 * b));
        }
        p[5] = 0x0f, p[6] = 0xa2, p[7] = 0xc3;
    }
}

static backdoor_word_t fuzz_constant_leaf_request(uint32_t leaf, uint32_t selector,
                                                  const backdoor_word_t *a, backdoor_word_t dflt)
{
    const void *stub = fuzz_stubs + FUZZ_STUB_SIZE * (leaf - BACKDOOR_LEAF_BASE);
    backdoor_word_t result = dflt, dx = a[0], bx = a[1];
    uint32_t eax, ecx = selector;
#if defined(__x86_64__)
    register backdoor_word_t r8 __asm__("r8") = a[3];
    __asm__ __volatile__("lea -128(%%rsp), %%rsp\n\tcall *%[stub]\n\tlea 128(%%rsp), %%rsp"
                         : "+S"(result), "=a"(eax), "+c"(ecx), "+d"(dx), "+b"(bx), "+r"(r8)
                         : "D"(a[2]), [stub] "r"(stub)
                         : "memory", "cc");
#else
    __asm__ __volatile__("call *%[stub]"
                         : "+S"(result), "=a"(eax), "+c"(ecx), "+d"(dx), "+b"(bx)
                         : "D"(a[2]), [stub] "r"(stub)
                         : "memory", "cc");
#endif
    (void)eax;
    return result;
}
#else
#define FUZZ_CONSTANT_LEAF 0
#define FUZZ_STUBS_SIZE 0u
static void fuzz_write_stubs(void)
{
}
#endif

static const char *const fuzz_type_names[] = {
#define FUZZ_TYPE_NAME(NAME, name, number, doc) [number] = #name,
    BACKDOOR_TYPES(FUZZ_TYPE_NAME)
#undef FUZZ_TYPE_NAME
};

static const char *const fuzz_status_names[] = {
#define FUZZ_STATUS_NAME(NAME, name, error, doc) [BACKDOOR_STATUS_##NAME] = #name,
    BACKDOOR_STATUSES(FUZZ_STATUS_NAME)
#undef FUZZ_STATUS_NAME
};

/*
 * Issues count requests and prints one line of NAME=COUNT pairs (and the
 * first mismatches); returns how many results differed from the
 * prediction. The includer has set up the memory and fuzz_max_buffer.
 */
static unsigned long fuzz_run(unsigned long count)
{
    unsigned long outcomes[4] = {0}, types[BACKDOOR_TYPE_COUNT] = {0};
    unsigned long statuses[BACKDOOR_STATUS_COUNT] = {0};
    unsigned long printed = 0, constant = 0, mismatches = 0, dumps = 0;
    fuzz_write_stubs();
    for (unsigned long i = 0; i < count; i++) {
        uint32_t leaf, selector;
        fuzz_make_request(&leaf, &selector);
        backdoor_word_t a[4];
        fuzz_make_buffer(&a[0], &a[1]);
        a[2] = fuzz_word();
        a[3] = fuzz_word();
        bool in_range = leaf >= BACKDOOR_LEAF_BASE && leaf <= BACKDOOR_LEAF_LAST;
        bool use_constant = FUZZ_CONSTANT_LEAF && in_range && fuzz_below(2);
        struct fuzz_expect e = fuzz_classify(leaf, selector, a, use_constant);
        /* The run must go on, and its outputs stay small. */
        if (e.outcome == FUZZ_DISPATCHED && e.status == BACKDOOR_STATUS_OK &&
            (e.command == BACKDOOR_OP_EXIT ||
             (e.command == BACKDOOR_OP_STATS_DUMP && dumps == FUZZ_MAX_DUMPS))) {
            selector = BACKDOOR_SELECTOR(BACKDOOR_OP_STATS_RESET);
            e = fuzz_classify(leaf, selector, a, use_constant);
        }
        dumps += e.outcome == FUZZ_DISPATCHED && e.status == BACKDOOR_STATUS_OK &&
                 e.command == BACKDOOR_OP_STATS_DUMP;

        backdoor_word_t dflt = fuzz_word();
        backdoor_word_t r;
#if FUZZ_CONSTANT_LEAF
        if (use_constant) {
            r = fuzz_constant_leaf_request(leaf, selector, a, dflt);
            constant++;
        } else
#endif
        {
            r = backdoor_impl_request(leaf, selector, 4, a[0], a[1], a[2], a[3], dflt);
        }

        outcomes[e.outcome]++;
        if (e.outcome == FUZZ_DISPATCHED) {
            types[e.type]++;
            statuses[e.status]++;
            if (e.status == BACKDOOR_STATUS_OK && e.command == BACKDOOR_OP_PRINT) {
                printed += a[1];
            }
        }
        bool right;
        if (!e.writes_result) {
            right = r == dflt;
        } else if (e.result_known) {
            right = r == e.result;
        } else if (e.command == BACKDOOR_OP_HOST_INFO) {
            right = r <= a[1] && (r > 0 || a[1] == 0);
        } else {
            right = true;
        }
        if (!right && mismatches++ < 10) {
            FUZZ_PRINTF("mismatch: leaf %lx selector %lx args %lx %lx %lx %lx%s: result %lx, "
                        "expected %lx (status %s)\n",
                        (unsigned long)leaf, (unsigned long)selector, (unsigned long)a[0],
                        (unsigned long)a[1], (unsigned long)a[2], (unsigned long)a[3],
                        use_constant ? " (constant leaf)" : "", (unsigned long)r,
                        (unsigned long)(e.writes_result ? e.result : dflt),
                        e.outcome == FUZZ_DISPATCHED ? fuzz_status_names[e.status]
                                                     : "not dispatched");
        }
    }

    FUZZ_PRINTF("issued=%lu constant_leaf=%lu not_ours=%lu probes=%lu malformed=%lu "
                "dispatched=%lu",
                count, constant, outcomes[FUZZ_NOT_OURS], outcomes[FUZZ_PROBE],
                outcomes[FUZZ_MALFORMED], outcomes[FUZZ_DISPATCHED]);
    for (unsigned t = 0; t < BACKDOOR_TYPE_COUNT; t++) {
        FUZZ_PRINTF(" type.%s=%lu", fuzz_type_names[t], types[t]);
    }
    for (unsigned s = 0; s < BACKDOOR_STATUS_COUNT; s++) {
        FUZZ_PRINTF(" status.%s=%lu", fuzz_status_names[s], statuses[s]);
    }
    FUZZ_PRINTF(" printed=%lu mismatches=%lu\n", printed, mismatches);
    return mismatches;
}

#endif
