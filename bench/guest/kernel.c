/* SPDX-License-Identifier: MIT */
/*
 * The bare-metal benchmark kernel (multiboot, 32-bit protected mode, built
 * with the runtime of tests/baremetal/x86), booted by bench/run.py with
 * qemu-system-x86_64 -kernel. What it does comes from the command line
 * (-append):
 *
 *   workload R      R rounds of the workload (workload.h), no backdoor call
 *   print N         N 64-byte messages through backdoor_print()
 *   debugcon N      the same N messages, byte by byte to isa-debugcon (0xe9)
 *   smp C N         start C-1 application processors (INIT/SIPI), then every
 *                   CPU makes N backdoor_sum() calls with run-time arguments
 *   marks C N       the same with N backdoor_mark(1, i) calls per CPU: an
 *                   event or trace record each (bench row 6)
 *
 * The timed part is measured with RDTSC, which QEMU's TCG answers with the
 * host's time-stamp counter, and in the print and smp modes, when a host
 * answers backdoor_present(), with backdoor_host_time_ns() too (bench/run.py
 * turns ticks into seconds with those). The workload and debugcon modes make
 * no backdoor call at all. The kernel reports on debugcon, after the timed part:
 *   result ticks=0xHI 0xLO ns=0xHI 0xLO cpus=C
 * and exits through isa-debug-exit with 0.
 */
#include <backdoor/guest.h>

#include "console.h"
#include "kernel.h"
#include "workload.h"

#define AP_TRAMPOLINE_ADDR 0x8000u
#define AP_MAX_CPUS 16
#define LAPIC_BASE 0xfee00000u
#define LAPIC_SVR 0x0f0
#define LAPIC_ICR_LOW 0x300
#define LAPIC_ICR_HIGH 0x310
/* ICR: all excluding self, level assert, INIT / start-up (SIPI). */
#define ICR_ALL_BUT_SELF_INIT 0x000c4500u
#define ICR_ALL_BUT_SELF_SIPI 0x000c4600u

#define MESSAGE_BYTES 64

extern const char ap_trampoline[], ap_trampoline_end[];
extern volatile uint32_t ap_next_index;

/* Opaque to the compiler, so calls read their arguments at run time. */
volatile uint32_t opaque_words[4] = {1, 2, 3, 4};
volatile uint32_t sink;

static volatile uint32_t smp_go, smp_done, smp_calls, smp_marks;

static uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

static void put_u64(const char *name, uint64_t value)
{
    kprintf(" %s=%x %x", name, (uint32_t)(value >> 32), (uint32_t)value);
}

/* The tokens of the multiboot command line (QEMU puts the kernel's file
 * name first). */
static const char *cmdline(const void *multiboot_info)
{
    const uint32_t *info = multiboot_info;
    if (info == 0 || !(info[0] & (1u << 2)))
        return "";
    return (const char *)(uintptr_t)info[4];
}

static int word_is(const char *p, const char *word)
{
    while (*word != '\0' && *p == *word)
        p++, word++;
    return *word == '\0' && (*p == ' ' || *p == '\0');
}

static const char *next_word(const char *p)
{
    while (*p != ' ' && *p != '\0')
        p++;
    while (*p == ' ')
        p++;
    return p;
}

static uint32_t number(const char *p)
{
    uint32_t n = 0;
    while (*p >= '0' && *p <= '9')
        n = n * 10 + (uint32_t)(*p++ - '0');
    return n;
}

struct clock {
    uint64_t ticks, ns;
};

static struct clock clock_now(int host)
{
    struct clock c;
    c.ns = host ? backdoor_host_time_ns() : 0;
    c.ticks = rdtsc();
    return c;
}

static void report(struct clock start, int host, uint32_t cpus, uint32_t value)
{
    uint64_t ticks = rdtsc();
    uint64_t ns = host ? backdoor_host_time_ns() : 0;
    kprintf("result");
    put_u64("ticks", ticks - start.ticks);
    put_u64("ns", host ? ns - start.ns : 0);
    kprintf(" cpus=%u value=%x\n", cpus, value);
}

static void run_workload(uint32_t rounds, int host)
{
    uint32_t seed = 12345, checksum = 0;
    struct clock start = clock_now(host);
    for (uint32_t r = 0; r < rounds; r++)
        checksum ^= workload_round(&seed);
    report(start, host, 1, checksum);
}

static void fill_message(char *msg)
{
    static const char text[] = "backdoor bench: sixty-four bytes of guest text, message #";
    unsigned i = 0;
    for (; text[i] != '\0' && i < MESSAGE_BYTES - 4; i++)
        msg[i] = text[i];
    while (i < MESSAGE_BYTES - 1)
        msg[i++] = '.';
    msg[MESSAGE_BYTES - 1] = '\n';
    msg[MESSAGE_BYTES] = '\0';
}

static void run_print(uint32_t n, int host)
{
    static char msg[MESSAGE_BYTES + 1];
    fill_message(msg);
    uint32_t taken = 0;
    struct clock start = clock_now(host);
    for (uint32_t i = 0; i < n; i++)
        taken += (uint32_t)backdoor_print(msg);
    report(start, host, 1, taken);
}

static void run_debugcon(uint32_t n, int host)
{
    static char msg[MESSAGE_BYTES + 1];
    fill_message(msg);
    struct clock start = clock_now(host);
    for (uint32_t i = 0; i < n; i++)
        for (const char *p = msg; *p != '\0'; p++)
            console_putc(*p);
    report(start, host, 1, n * MESSAGE_BYTES);
}

/* The loop every CPU runs in "smp": the extended call with four run-time
 * arguments and a result, as in bench/guest/calls.c "call4". */
static __attribute__((noinline)) void smp_loop(uint32_t n)
{
    uint32_t a = opaque_words[0], b = opaque_words[1], c = opaque_words[2];
    uint32_t total = 0;
    for (uint32_t i = 0; i < n; i++)
        total += (uint32_t)backdoor_sum(i, a, b, c);
    sink = total;
    __atomic_add_fetch(&smp_done, 1, __ATOMIC_RELEASE);
}

/* The loop every CPU runs in "marks": a record per call where the plugin
 * writes events= or trace=. */
static __attribute__((noinline)) void mark_loop(uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        backdoor_mark(1, i);
    __atomic_add_fetch(&smp_done, 1, __ATOMIC_RELEASE);
}

static void cpu_loop(uint32_t n)
{
    if (smp_marks)
        mark_loop(n);
    else
        smp_loop(n);
}

void ap_main(uint32_t index);

void ap_main(uint32_t index)
{
    (void)index;
    while (!__atomic_load_n(&smp_go, __ATOMIC_ACQUIRE))
        __asm__ __volatile__("pause");
    cpu_loop(__atomic_load_n(&smp_calls, __ATOMIC_RELAXED));
    for (;;)
        __asm__ __volatile__("cli; hlt");
}

static void lapic_write(uint32_t reg, uint32_t value)
{
    *(volatile uint32_t *)(uintptr_t)(LAPIC_BASE + reg) = value;
}

static uint32_t lapic_read(uint32_t reg)
{
    return *(volatile uint32_t *)(uintptr_t)(LAPIC_BASE + reg);
}

static void spin_ticks(uint64_t ticks)
{
    uint64_t start = rdtsc();
    while (rdtsc() - start < ticks)
        __asm__ __volatile__("pause");
}

static int start_aps(uint32_t cpus)
{
    const char *src = ap_trampoline;
    char *dst = (char *)(uintptr_t)AP_TRAMPOLINE_ADDR;
    for (unsigned i = 0; src + i < ap_trampoline_end; i++)
        dst[i] = src[i];
    lapic_write(LAPIC_SVR, lapic_read(LAPIC_SVR) | 0x100);
    lapic_write(LAPIC_ICR_HIGH, 0);
    lapic_write(LAPIC_ICR_LOW, ICR_ALL_BUT_SELF_INIT);
    spin_ticks(10000000);
    for (int i = 0; i < 2; i++) {
        lapic_write(LAPIC_ICR_HIGH, 0);
        lapic_write(LAPIC_ICR_LOW, ICR_ALL_BUT_SELF_SIPI | (AP_TRAMPOLINE_ADDR >> 12));
        spin_ticks(1000000);
    }
    /* Up to about 10 s of host time-stamp counter for the APs to arrive. */
    uint64_t start = rdtsc();
    while (__atomic_load_n(&ap_next_index, __ATOMIC_ACQUIRE) < cpus - 1 &&
           rdtsc() - start < 30000000000ull)
        __asm__ __volatile__("pause");
    return __atomic_load_n(&ap_next_index, __ATOMIC_ACQUIRE) == cpus - 1;
}

static int run_smp(uint32_t cpus, uint32_t n, int host, int marks)
{
    if (cpus < 1 || cpus > AP_MAX_CPUS) {
        kprintf("smp: bad cpu count %u\n", cpus);
        return 2;
    }
    if (cpus > 1 && !start_aps(cpus)) {
        kprintf("smp: only %u of %u application processors started\n",
                ap_next_index, cpus - 1);
        return 3;
    }
    smp_calls = n;
    smp_marks = (uint32_t)marks;
    struct clock start = clock_now(host);
    __atomic_store_n(&smp_go, 1, __ATOMIC_RELEASE);
    cpu_loop(n);
    while (__atomic_load_n(&smp_done, __ATOMIC_ACQUIRE) < cpus)
        __asm__ __volatile__("pause");
    report(start, host, cpus, smp_done);
    return 0;
}

int kernel_main(uint32_t magic, const void *multiboot_info)
{
    if (magic != MULTIBOOT_BOOTLOADER_MAGIC)
        return 1;
    const char *p = cmdline(multiboot_info);
    for (; *p != '\0'; p = next_word(p)) {
        const char *arg1 = next_word(p), *arg2 = next_word(arg1);
        /* The workload and debugcon modes never touch the channel. */
        if (word_is(p, "workload")) {
            run_workload(number(arg1), 0);
            return 0;
        }
        if (word_is(p, "debugcon")) {
            run_debugcon(number(arg1), 0);
            return 0;
        }
        int host = backdoor_present() != 0;
        if (word_is(p, "print")) {
            run_print(number(arg1), host);
            return 0;
        }
        if (word_is(p, "smp"))
            return run_smp(number(arg1), number(arg2), host, 0);
        if (word_is(p, "marks"))
            return run_smp(number(arg1), number(arg2), host, 1);
    }
    kprintf("bench kernel: no mode on the command line '%s'\n", cmdline(multiboot_info));
    return 4;
}
