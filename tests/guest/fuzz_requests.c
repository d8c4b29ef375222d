/* SPDX-License-Identifier: MIT */
/*
 * The in-guest fuzzer: random requests over every leaf of the backdoor range
 * and beyond, with random selectors (tagged or not, built-in, unknown and
 * handler commands), argument words and buffers that are good, empty, too
 * long, unmapped, running off the end of a mapping, at address 0 or at the
 * top of the address space. Unmapped means unmapped: the plugin reads guest
 * memory with debugger rights, which in user mode reach PROT_NONE pages too
 * (issue 12, item 1), so holes are made with munmap. For each request it predicts from the ABI alone (backdoor/
 * ops.h, docs/abi.md) how the plugin must count it and what it must write
 * back, checks the result register, and counts by kind; tests/
 * test_guest_fuzz.py compares the counts with the plugin's summary and event
 * log. On x86 half of the requests in the range carry their leaf as an
 * immediate right before CPUID, so every leaf is decoded at translation time
 * too. Run without a handler, where nothing answers user commands.
 *
 * Usage: fuzz_requests COUNT SEED MAX_BUFFER (MAX_BUFFER: the plugin's
 * max-buffer=). Prints one line of NAME=COUNT pairs; exits 0 when every
 * result was the predicted one.
 */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#include <backdoor/guest.h>

#define PAGE 4096u
#define SCRATCH_SIZE (16 * PAGE)
#define NOACCESS_SIZE (16 * PAGE)
/* stats_dump writes every region and mark: a few are enough. */
#define MAX_DUMPS 8

/* What the plugin must make of one request. */
enum outcome { NOT_OURS, PROBE, MALFORMED, DISPATCHED };

struct expect {
    enum outcome outcome;
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
} builtins[64] = {
#define BUILTIN_ROW(NAME, name, number, type, nargs, result, doc) \
    [number] = {true, BACKDOOR_TYPE_##type, nargs, result},
    BACKDOOR_OPS(BUILTIN_ROW)
#undef BUILTIN_ROW
};

static uint64_t rng = 1;
static uint8_t *scratch, *noaccess;
static backdoor_word_t max_buffer;

static uint64_t next64(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static uint32_t below(uint32_t n)
{
    return (uint32_t)(next64() % n);
}

/* Only a buffer wholly inside the scratch area (or an empty one) can be
 * accessed: every other buffer made below starts on an unmapped page or
 * runs into the hole after the scratch area. */
static bool accessible(backdoor_word_t addr, backdoor_word_t len)
{
    uintptr_t start = (uintptr_t)scratch;
    return len == 0 ||
           (addr >= start && addr - start < SCRATCH_SIZE && len <= SCRATCH_SIZE - (addr - start));
}

static void make_buffer(backdoor_word_t *addr, backdoor_word_t *len)
{
    uintptr_t start = (uintptr_t)scratch;
    uint32_t off;
    switch (below(9)) {
    case 0:
    case 1:
    case 2: /* inside the scratch area */
        off = below(SCRATCH_SIZE);
        *addr = start + off;
        *len = below(SCRATCH_SIZE - off + 1);
        break;
    case 3: /* empty, anywhere */
        *addr = (backdoor_word_t)next64();
        *len = 0;
        break;
    case 4: /* in a hole */
        *addr = (uintptr_t)noaccess + below(NOACCESS_SIZE);
        *len = 1 + below(2 * (uint32_t)max_buffer);
        break;
    case 5: /* from the scratch area into the hole after it */
        off = 1 + below(PAGE);
        *addr = start + SCRATCH_SIZE - off;
        *len = off + 1 + below(PAGE);
        break;
    case 6: /* at address 0 */
        *addr = below(PAGE);
        *len = 1 + below(2 * PAGE);
        break;
    case 7: /* longer than max-buffer */
        *addr = (backdoor_word_t)next64();
        *len = max_buffer + 1 + (backdoor_word_t)(next64() % ((backdoor_word_t)-1 - max_buffer));
        break;
    default: /* the top of the address space: past the user half on 64-bit
              * guests, wrapping around; the last page on 32-bit ones is not
              * certain to be unmapped, so page 0 stands in */
#if UINTPTR_MAX > 0xffffffffu
        *addr = below(2) ? (backdoor_word_t)(0xff00000000000000ull | next64())
                         : (backdoor_word_t)-1 - below(PAGE);
#else
        *addr = below(PAGE);
#endif
        *len = 1 + below((uint32_t)max_buffer);
        break;
    }
}

/* Mostly tagged selectors, commands mostly built-ins (and 0). */
static uint32_t make_selector(void)
{
    uint32_t p = below(20);
    if (p < 2) {
        return (uint32_t)next64();
    }
    if (p < 12) {
        return BACKDOOR_SELECTOR(below(16));
    }
    if (p < 14) {
        return BACKDOOR_SELECTOR(below(BACKDOOR_USER_COMMAND_FIRST));
    }
    return BACKDOOR_SELECTOR(BACKDOOR_USER_COMMAND_FIRST +
                             below(0x10000 - BACKDOOR_USER_COMMAND_FIRST));
}

static bool make_abi32(void)
{
#if defined(__i386__)
    /* 32-bit code sets abi32; without it a request is malformed here. */
    return below(10) != 0;
#else
    return below(4) == 0;
#endif
}

static uint32_t extended_leaf(uint32_t type, uint32_t nargs)
{
    return BACKDOOR_LEAF(type, BACKDOOR_EXT_MAGIC | (make_abi32() ? BACKDOOR_EXT_ABI32 : 0) | nargs);
}

static void make_request(uint32_t *leaf, uint32_t *selector)
{
    uint32_t p = below(100);
    *selector = make_selector();
    if (p < 8) {
        *leaf = (uint32_t)next64();
    } else if (p < 20) {
        *leaf = BACKDOOR_LEAF_BASE + below(0x1000);
    } else if (p < 25) {
        *leaf = BACKDOOR_LEAF(below(16), 0);
    } else if (p < 40) {
        *leaf = BACKDOOR_LEAF(below(2), 1 + below(255));
    } else if (p < 60) {
        /* A built-in as the ABI defines it, so that many calls run. */
        uint32_t command;
        do {
            command = below(sizeof builtins / sizeof builtins[0]);
        } while (!builtins[command].exists);
        *leaf = extended_leaf(builtins[command].type, builtins[command].nargs);
        *selector = BACKDOOR_SELECTOR(command);
    } else {
        uint32_t type = BACKDOOR_TYPE_CALL + below(3);
        *leaf = extended_leaf(type, type == BACKDOOR_TYPE_CALL ? below(5) : 2 + below(3));
    }
}

/* The ABI's answer for a request, worked out from docs/abi.md. */
static struct expect classify(uint32_t leaf, uint32_t selector, const backdoor_word_t *a,
                              bool arg3_known)
{
    struct expect e = {.outcome = NOT_OURS};
    if (leaf < BACKDOOR_LEAF_BASE || leaf > BACKDOOR_LEAF_LAST) {
        return e;
    }
    unsigned type = (leaf >> 8) & 0xf, i8 = leaf & 0xff;
    if (i8 == 0) {
        e.outcome = PROBE;
        return e;
    }
    e.outcome = MALFORMED;
    if (type > BACKDOOR_TYPE_RECV) {
        return e;
    }
    e.type = type;
    if (type == BACKDOOR_TYPE_I8 || type == BACKDOOR_TYPE_I8_V32) {
        /* Nothing receives seed calls here; they return nothing. */
        e.outcome = DISPATCHED;
        e.status = BACKDOOR_STATUS_UNHANDLED;
        return e;
    }
    unsigned nargs = i8 & 7;
    bool abi32 = (i8 & BACKDOOR_EXT_ABI32) != 0;
    if ((i8 & 0xf0) != BACKDOOR_EXT_MAGIC || nargs > BACKDOOR_EXT_MAX_ARGS ||
        (type != BACKDOOR_TYPE_CALL && nargs < 2)) {
        return e;
    }
#if defined(__i386__)
    /* qemu-i386 has no 64-bit registers to read such a request from. */
    if (!abi32) {
        return e;
    }
#endif
    if ((selector >> 16) != BACKDOOR_TAG || (selector & 0xffff) == 0) {
        return e;
    }
    e.outcome = DISPATCHED;
    e.command = selector & 0xffff;
    e.writes_result = e.result_known = true;
    bool builtin = e.command < BACKDOOR_USER_COMMAND_FIRST;
    if (builtin) {
        if (e.command >= sizeof builtins / sizeof builtins[0] || !builtins[e.command].exists) {
            e.status = BACKDOOR_STATUS_UNHANDLED;
            e.result = (backdoor_word_t)BACKDOOR_ENOSYS;
            return e;
        }
        if (builtins[e.command].type != type || builtins[e.command].nargs != nargs) {
            e.status = BACKDOOR_STATUS_INVALID;
            e.writes_result = builtins[e.command].result;
            e.result = (backdoor_word_t)BACKDOOR_EINVAL;
            return e;
        }
    }
    /* Buffers are checked before the command runs, handler commands too. */
    if (type != BACKDOOR_TYPE_CALL) {
        if (a[1] > max_buffer) {
            e.status = BACKDOOR_STATUS_TOO_BIG;
            e.result = (backdoor_word_t)BACKDOOR_E2BIG;
            return e;
        }
        if (!accessible(a[0], a[1])) {
            e.status = BACKDOOR_STATUS_FAULT;
            e.result = (backdoor_word_t)BACKDOOR_EFAULT;
            return e;
        }
    }
    if (!builtin) {
        e.status = BACKDOOR_STATUS_UNHANDLED;
        e.result = (backdoor_word_t)BACKDOOR_ENOSYS;
        return e;
    }
    e.status = BACKDOOR_STATUS_OK;
    e.writes_result = builtins[e.command].result;
    switch (e.command) {
    case BACKDOOR_OP_PRESENT:
        e.result = BACKDOOR_PROTOCOL_VERSION;
        break;
    case BACKDOOR_OP_SUM: {
        backdoor_word_t sum = a[0] + a[1] + a[2] + a[3];
        e.result = abi32 ? (uint32_t)sum : sum;
        e.result_known = arg3_known;
        break;
    }
    case BACKDOOR_OP_PRINT:
        e.result = a[1];
        break;
    case BACKDOOR_OP_HOST_TIME_NS:
        e.result = a[1] < 8 ? a[1] : 8;
        break;
    default: /* features, host_info: checked below or not at all */
        e.result_known = false;
        break;
    }
    return e;
}

#if defined(__x86_64__) || defined(__i386__)
/*
 * The request with its leaf as an immediate loaded right before CPUID, as
 * guest.h emits constant requests, so that translation decodes it: one stub
 * "mov $LEAF, %eax; cpuid; ret" per leaf of the range, written once at
 * start (4096 cases compiled in would cost a minute of compilation). The
 * selector and arguments stay in registers. x86-64 code may keep data in the
 * 128 bytes below the stack pointer, which the call would overwrite.
 */
#define STUB_SIZE 8u
static uint8_t *stubs;

static bool make_stubs(void)
{
    size_t size = STUB_SIZE * (BACKDOOR_LEAF_LAST - BACKDOOR_LEAF_BASE + 1);
    stubs = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (stubs == MAP_FAILED) {
        return false;
    }
    for (uint32_t i = 0; i <= BACKDOOR_LEAF_LAST - BACKDOOR_LEAF_BASE; i++) {
        uint8_t *p = stubs + STUB_SIZE * i;
        uint32_t leaf = BACKDOOR_LEAF_BASE + i;
        p[0] = 0xb8;
        for (int b = 0; b < 4; b++) {
            p[1 + b] = (uint8_t)(leaf >> (8 * b));
        }
        p[5] = 0x0f, p[6] = 0xa2, p[7] = 0xc3;
    }
    return mprotect(stubs, size, PROT_READ | PROT_EXEC) == 0;
}

static backdoor_word_t constant_leaf_request(uint32_t leaf, uint32_t selector,
                                             const backdoor_word_t *a, backdoor_word_t dflt)
{
    const void *stub = stubs + STUB_SIZE * (leaf - BACKDOOR_LEAF_BASE);
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
#define HAS_CONSTANT_LEAF 1
#else
#define HAS_CONSTANT_LEAF 0
static bool make_stubs(void)
{
    return true;
}
#endif

static const char *const type_names[] = {
#define TYPE_NAME(NAME, name, number, doc) [number] = #name,
    BACKDOOR_TYPES(TYPE_NAME)
#undef TYPE_NAME
};

static const char *const status_names[] = {
#define STATUS_NAME(NAME, name, error, doc) [BACKDOOR_STATUS_##NAME] = #name,
    BACKDOOR_STATUSES(STATUS_NAME)
#undef STATUS_NAME
};

int main(int argc, char **argv)
{
    long count = argc > 1 ? atol(argv[1]) : 100000;
    rng = argc > 2 ? strtoull(argv[2], NULL, 0) : 1;
    rng += rng == 0;
    max_buffer = argc > 3 ? (backdoor_word_t)strtoull(argv[3], NULL, 0) : 1u << 20;
    /* Nothing maps memory after this, so the holes stay holes. */
    scratch = mmap(NULL, SCRATCH_SIZE + PAGE, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    noaccess = mmap(NULL, NOACCESS_SIZE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (scratch == MAP_FAILED || noaccess == MAP_FAILED || !make_stubs() ||
        munmap(scratch + SCRATCH_SIZE, PAGE) != 0 || munmap(noaccess, NOACCESS_SIZE) != 0) {
        perror("mmap");
        return 2;
    }

    unsigned long outcomes[4] = {0}, types[BACKDOOR_TYPE_COUNT] = {0};
    unsigned long statuses[BACKDOOR_STATUS_COUNT] = {0};
    unsigned long printed = 0, constant = 0, mismatches = 0, dumps = 0;
    for (long i = 0; i < count; i++) {
        uint32_t leaf, selector;
        make_request(&leaf, &selector);
        backdoor_word_t a[4];
        make_buffer(&a[0], &a[1]);
        a[2] = (backdoor_word_t)next64();
        a[3] = (backdoor_word_t)next64();
        bool in_range = leaf >= BACKDOOR_LEAF_BASE && leaf <= BACKDOOR_LEAF_LAST;
        bool use_constant = HAS_CONSTANT_LEAF && in_range && below(2);
#if defined(__x86_64__)
        /* A 32-bit request's arg3 is read from EBP, which holds anything. */
        bool arg3_known = !(leaf & BACKDOOR_EXT_ABI32);
#elif defined(__i386__)
        bool arg3_known = !use_constant;
#else
        bool arg3_known = true;
#endif
        struct expect e = classify(leaf, selector, a, arg3_known);
        /* The run must go on, and stay small. */
        if (e.outcome == DISPATCHED && e.status == BACKDOOR_STATUS_OK &&
            (e.command == BACKDOOR_OP_EXIT ||
             (e.command == BACKDOOR_OP_STATS_DUMP && dumps == MAX_DUMPS))) {
            selector = BACKDOOR_SELECTOR(BACKDOOR_OP_STATS_RESET);
            e = classify(leaf, selector, a, arg3_known);
        }
        dumps += e.outcome == DISPATCHED && e.status == BACKDOOR_STATUS_OK &&
                 e.command == BACKDOOR_OP_STATS_DUMP;

        backdoor_word_t dflt = (backdoor_word_t)next64();
        backdoor_word_t r;
#if HAS_CONSTANT_LEAF
        if (use_constant) {
            r = constant_leaf_request(leaf, selector, a, dflt);
            constant++;
        } else
#endif
        {
            r = backdoor__request(leaf, selector, 4, a[0], a[1], a[2], a[3], dflt);
        }

        outcomes[e.outcome]++;
        if (e.outcome == DISPATCHED) {
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
            fprintf(stderr,
                    "mismatch: leaf %#x selector %#x args %#llx %#llx %#llx %#llx%s: "
                    "result %#llx, expected %#llx (outcome %d, status %s)\n",
                    leaf, selector, (unsigned long long)a[0], (unsigned long long)a[1],
                    (unsigned long long)a[2], (unsigned long long)a[3],
                    use_constant ? " (constant leaf)" : "", (unsigned long long)r,
                    (unsigned long long)(e.writes_result ? e.result : dflt), e.outcome,
                    status_names[e.status]);
        }
    }

    printf("issued=%ld constant_leaf=%lu not_ours=%lu probes=%lu malformed=%lu dispatched=%lu",
           count, constant, outcomes[NOT_OURS], outcomes[PROBE], outcomes[MALFORMED],
           outcomes[DISPATCHED]);
    for (unsigned t = 0; t < BACKDOOR_TYPE_COUNT; t++) {
        printf(" type.%s=%lu", type_names[t], types[t]);
    }
    for (unsigned s = 0; s < BACKDOOR_STATUS_COUNT; s++) {
        printf(" status.%s=%lu", status_names[s], statuses[s]);
    }
    printf(" printed=%lu mismatches=%lu\n", printed, mismatches);
    return mismatches == 0 ? 0 : 1;
}
