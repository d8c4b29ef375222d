/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The records' clock (output/clock.h). Each thread extrapolates from an
 * anchor of its own (a TSC value and the clock's value there) and renews it
 * from CLOCK_MONOTONIC once the anchor is a millisecond old, or at once if
 * the TSC went backwards (a thread moved to a CPU whose TSC lags). The TSC's
 * rate is measured against CLOCK_MONOTONIC since the start; before the first
 * millisecond of it, and where the TSC is not invariant, every read is a
 * clock_gettime. A new anchor never sets the clock back: the thread's clock
 * is slewed, not stepped, so that it meets CLOCK_MONOTONIC at the next anchor
 * (as NTP slews the system clock), and a thread's values never decrease.
 */
#include "output/clock.h"

#include <time.h>

#if defined(__x86_64__)
#include <cpuid.h>
#include <x86intrin.h>
#endif

/* How long a thread extrapolates from one anchor: the clock's error is at
 * most what the TSC's rate error makes of this. */
#define ANCHOR_NS 1000000u
/* The least span of CLOCK_MONOTONIC the TSC's rate is measured over: with
 * a clock read's jitter of some 100 ns, an error of 1e-4. */
#define CALIBRATE_NS 1000000u

static uint64_t start_ns;
static bool use_tsc;

/* Nanoseconds per TSC tick, 32.32 fixed point; 0 while not measured. */
static uint64_t rate;
/* Where the rate is measured from: only the holder of `calibrating`
 * touches them (a flag, not a mutex, so that a signal handler that reads
 * the clock never waits for the thread it interrupted). */
static uint64_t base_tsc, base_ns;
static int calibrating;

struct anchor {
    uint64_t tsc;    /* the TSC at the anchor */
    uint64_t ns;     /* the thread's clock there */
    uint64_t mult;   /* its nanoseconds per tick from there, 32.32 */
    uint64_t period; /* ticks to the next anchor; 0: renew at every read */
    uint64_t last;   /* the last value returned */
};

/* initial-exec: a %fs-relative access, no __tls_get_addr call per record;
 * 40 bytes fit glibc's static TLS reserve for dlopen. */
static _Thread_local struct anchor this_thread __attribute__((tls_model("initial-exec")));

static uint64_t monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

#if defined(__x86_64__)
static uint64_t read_tsc(void)
{
    return __rdtsc();
}

/* CPUID 0x80000007 EDX bit 8: the TSC ticks at one rate in every power
 * state, so it measures time. */
static bool tsc_invariant(void)
{
    unsigned eax, ebx, ecx, edx;
    return __get_cpuid(0x80000007, &eax, &ebx, &ecx, &edx) && (edx & (1u << 8)) != 0;
}
#else
static uint64_t read_tsc(void)
{
    return 0;
}

static bool tsc_invariant(void)
{
    return false;
}
#endif

/* CLOCK_MONOTONIC and the TSC at one moment: a clock read between two TSC
 * reads close enough together. A thread preempted in between would pair
 * the clock with a TSC value milliseconds off, and every value extrapolated
 * from the pair would be off as much: such a pair is read again. */
#define PAIR_TICKS 4000u /* 2 us at 2 GHz; a clock read takes some 100 ticks */
#define PAIR_TRIES 8

static void read_pair(uint64_t *tsc, uint64_t *ns)
{
    uint64_t best = UINT64_MAX;
    for (int i = 0; i < PAIR_TRIES && best > PAIR_TICKS; i++) {
        uint64_t before = read_tsc(), clock = monotonic_ns(), after = read_tsc();
        if (after - before < best) {
            best = after - before;
            *tsc = before + (after - before) / 2;
            *ns = clock;
        }
    }
}

void clock_start(void)
{
    use_tsc = tsc_invariant();
    read_pair(&base_tsc, &start_ns);
    base_ns = 0;
    rate = 0;
}

void clock_continue_from(uint64_t ns)
{
    uint64_t tsc, clock;
    read_pair(&tsc, &clock);
    start_ns = clock - ns;
    /* The TSC's rate holds; its base and the calling thread's anchor are
     * of the old start, and that anchor's last value must not hold the
     * clock back. */
    base_tsc = tsc;
    base_ns = ns;
    this_thread = (struct anchor){0};
}

bool clock_uses_tsc(void)
{
    return use_tsc;
}

/* The TSC's rate as measured up to (tsc, ns), or 0 if not known yet. A
 * rate that differs from the last by more than 1/64 means the TSC jumped
 * or changed speed (a virtual machine moved, a host suspended): measured
 * afresh from here. */
static uint64_t measure_rate(uint64_t tsc, uint64_t ns)
{
    if (__atomic_exchange_n(&calibrating, 1, __ATOMIC_ACQUIRE)) {
        return __atomic_load_n(&rate, __ATOMIC_RELAXED);
    }
    uint64_t r = rate;
    if (tsc <= base_tsc || ns < base_ns) {
        base_tsc = tsc, base_ns = ns, r = 0;
    } else if (ns - base_ns >= CALIBRATE_NS) {
        uint64_t measured =
            (uint64_t)(((unsigned __int128)(ns - base_ns) << 32) / (tsc - base_tsc));
        if (r != 0 && (measured > r + r / 64 || measured < r - r / 64)) {
            base_tsc = tsc, base_ns = ns, r = 0;
        } else {
            r = measured;
        }
    }
    __atomic_store_n(&rate, r, __ATOMIC_RELAXED);
    __atomic_store_n(&calibrating, 0, __ATOMIC_RELEASE);
    return r;
}

static uint64_t renew(struct anchor *a)
{
    uint64_t tsc, ns;
    read_pair(&tsc, &ns);
    ns -= start_ns;
    uint64_t r = measure_rate(tsc, ns);
    uint64_t from = ns > a->last ? ns : a->last;
    a->tsc = tsc;
    a->ns = from;
    a->last = from;
    if (r == 0 || r >= (uint64_t)ANCHOR_NS << 32) {
        a->period = 0;
        return from;
    }
    /* Reach CLOCK_MONOTONIC's value at the next anchor, never going at
     * less than half the measured rate. */
    a->period = ((uint64_t)ANCHOR_NS << 32) / r;
    uint64_t to = ns + ANCHOR_NS;
    uint64_t mult = to > from ? ((to - from) << 32) / a->period : 0;
    a->mult = mult > r / 2 ? mult : r / 2;
    return from;
}

uint64_t now_ns(void)
{
    if (!use_tsc) {
        return monotonic_ns() - start_ns;
    }
    struct anchor *a = &this_thread;
    uint64_t tsc = read_tsc();
    uint64_t ticks = tsc - a->tsc; /* huge if the TSC went backwards */
    if (__builtin_expect(ticks >= a->period, 0)) {
        return renew(a);
    }
    /* ticks * mult < 2^52: a millisecond's ticks at the matching rate. */
    uint64_t ns = a->ns + (ticks * a->mult >> 32);
    a->last = ns;
    return ns;
}
