/* SPDX-License-Identifier: MIT */
/*
 * One known sequence of backdoor requests from a bare-metal kernel, the
 * same on aarch64 (EL1) and riscv64 (M-mode): this file is compiled for
 * both (tests/baremetal/aarch64/rules.mk and tests/baremetal/riscv64/
 * rules.mk), and tests/test_system_arm_riscv.py holds the sequence the
 * handler must log and the plugin must report, identical for the two.
 *
 *   seed calls      BACKDOOR_i8 / BACKDOOR_i8_v32, constant and run-time values
 *   extended calls  present, features, CMD_MIX (constant and run-time
 *                   words), sum, CMD_MIX with two arguments, CMD_PRIVILEGE
 *   buffers         a send (CMD_CHECKSUM) and two receives (CMD_FILL, with
 *                   two and with three arguments)
 *   standard        roi_begin/roi_end around some work, mark, print,
 *                   stats_dump
 *
 * The buffers lie at fixed physical addresses (both boards have RAM at
 * 0x80100000; the MMU stays off, so virtual is physical), so that their
 * addresses, which the handler logs, are the same on both architectures.
 *
 * The kernel checks every result against what it expects in one of three
 * situations, and returns 0 (exit status 0) only if all of them hold:
 *   host       backdoor_present() == 1: real results, buffers transferred;
 *   no host    backdoor_present() == 0 (QEMU without the plugin): every
 *              request returns the default it was given and no byte of the
 *              receive buffers changes, i.e. the magic instruction is a
 *              no-op;
 *   denied     built with -DEXPECT_DENIED, for a plugin with
 *              allow-from=user: every request from this privileged code is
 *              refused, results are BACKDOOR_EPERM, no byte changes.
 */
#include <backdoor/guest.h>

#include "console.h"
#include "platform.h"
#include "test_commands.h"

/* Opaque to the compiler, so these reach the magic instruction through
 * registers the compiler fills at run time. */
volatile uint32_t runtime_i8 = 9, runtime_v32 = 123456789;
volatile uint64_t runtime_words[4] = {
    0x0123456789abcdefull, 0xfedcba9876543210ull, 7u, 0x8000000000000001ull};

/* Fixed addresses (link.ld of each architecture keeps the image below). */
#define FIXED_BASE 0x80100000ul
#define SEND_BUF (FIXED_BASE + 0x0f80ul) /* crosses a 4 KiB boundary */
#define SEND_LEN 256u
#define RECV_BUF (FIXED_BASE + 0x2000ul)
#define RECV_LEN 200u
#define RECV3_BUF (FIXED_BASE + 0x3000ul)
#define RECV3_LEN 64u
#define RECV3_BIAS 0x40u /* CMD_FILL's arg2: byte i = i * 7 + arg2 */
#define GUARD 56u        /* bytes after a receive buffer that must not change */
#define PRINT_BUF (FIXED_BASE + 0x4000ul)

#define SENTINEL 0xa5u
#define NO_ANSWER 0x5eed5eedu /* default of calls whose host answer is checked */
#define ROI_ID 1u
#define MARK_ID 7u
#define WORK_ITERATIONS 1000u

static const char print_text[] = "backdoor bare-metal calls: hello from the guest\n";

enum mode { HOST, NO_HOST, DENIED };
static enum mode mode;
static unsigned failures;

static uint8_t *bytes_at(uintptr_t addr)
{
    return (uint8_t *)addr;
}

static void expect(const char *what, uint64_t got, uint64_t want)
{
    kprintf("%s: got %lx want %lx%s\n", what, (unsigned long)got, (unsigned long)want,
            got == want ? "" : "  MISMATCH");
    if (got != want)
        failures++;
}

/* The result a request must return: the host's answer, the caller's
 * default when no host answers, or EPERM when the policy refuses. */
static void expect_result(const char *what, backdoor_word_t got, uint64_t answer,
                          backdoor_word_t dflt)
{
    expect(what, got,
           mode == HOST     ? answer
           : mode == DENIED ? (backdoor_word_t)BACKDOOR_EPERM
                            : dflt);
}

static void fill(uintptr_t addr, unsigned len, uint8_t value)
{
    for (unsigned i = 0; i < len; i++)
        bytes_at(addr)[i] = value;
}

/* A receive buffer after CMD_FILL: its bytes from the host (or untouched
 * without one), and the guard after it untouched in every mode. */
static void check_received(const char *what, uintptr_t addr, unsigned len, unsigned bias)
{
    unsigned wrong = 0;
    for (unsigned i = 0; i < len; i++) {
        uint8_t want = mode == HOST ? (uint8_t)(i * 7u + bias) : SENTINEL;
        wrong += bytes_at(addr)[i] != want;
    }
    for (unsigned i = len; i < len + GUARD; i++)
        wrong += bytes_at(addr)[i] != SENTINEL;
    kprintf("%s: %u wrong bytes%s\n", what, wrong, wrong == 0 ? "" : "  MISMATCH");
    if (wrong != 0)
        failures++;
}

/* Deterministic work for the region of interest (tests/test_system_arm_
 * riscv.py recomputes the value, which travels as the mark's argument). */
static uint64_t work(void)
{
    volatile uint64_t acc = 1;
    for (uint64_t i = 0; i < WORK_ITERATIONS; i++)
        acc = acc * 6364136223846793005ull + i;
    return acc;
}

int kernel_main(void)
{
    unsigned level = arch_privilege_level();
    kprintf("calls: %s at %s\n", arch_name, arch_privilege_name());
    /* The denied test relies on it: privileged code, never user level. */
    expect("privilege level (CPU)", level, arch_expected_privilege);

    /* Seed calls. */
    BACKDOOR_i8(1);
    BACKDOOR_i8_v32(2, 0xdeadbeef);
    BACKDOOR_i8(255);
    BACKDOOR_i8_v32(runtime_i8, runtime_v32);
    for (uint32_t i = 0; i < 3; i++)
        BACKDOOR_i8_v32(4, runtime_v32 + i);
    BACKDOOR_i8(runtime_i8 + 1);

    /* Extended calls with results. */
    backdoor_word_t present = backdoor_present();
    kprintf("present: %ld\n", (long)present);
#ifdef EXPECT_DENIED
    mode = DENIED;
#else
    mode = present == 0 ? NO_HOST : HOST;
#endif
    kprintf("mode: %s\n", mode == HOST ? "host" : mode == DENIED ? "denied" : "no host");
    backdoor_word_t features = backdoor_features();
    backdoor_word_t mix_const = backdoor_call4(CMD_MIX, 1, 2, 3, 4, NO_ANSWER);
    uint64_t w0 = runtime_words[0], w1 = runtime_words[1];
    uint64_t w2 = runtime_words[2], w3 = runtime_words[3];
    backdoor_word_t mix_runtime = backdoor_call4(CMD_MIX, w0, w1, w2, w3, NO_ANSWER);
    backdoor_word_t sum = backdoor_sum(w0, w1, w2, w3);
    /* Only its log line is checked: the ABI leaves the unused arguments
     * (which test_mix reads) unspecified. */
    backdoor_call2(CMD_MIX, w3, w2, 0x77);
    backdoor_word_t privilege = backdoor_call0(CMD_PRIVILEGE, NO_ANSWER);

    /* A send: the host reads the bytes. */
    for (unsigned i = 0; i < SEND_LEN; i++)
        bytes_at(SEND_BUF)[i] = (uint8_t)(i * 13u + 5u);
    backdoor_word_t checksum =
        backdoor_send(CMD_CHECKSUM, (const void *)SEND_BUF, SEND_LEN, NO_ANSWER);

    /* Receives: the host writes the bytes, and nothing after them. The
     * second passes a third argument, CMD_FILL's bias, through the primitive
     * every wrapper uses (guest.h offers receives with two arguments). */
    fill(RECV_BUF, RECV_LEN + GUARD, SENTINEL);
    fill(RECV3_BUF, RECV3_LEN + GUARD, SENTINEL);
    backdoor_word_t received = backdoor_recv(CMD_FILL, (void *)RECV_BUF, RECV_LEN, NO_ANSWER);
    backdoor_word_t received3 = backdoor_impl_request(
        BACKDOOR_LEAF(BACKDOOR_TYPE_RECV, BACKDOOR_EXT_MAGIC | 3u),
        BACKDOOR_SELECTOR(CMD_FILL), 3, RECV3_BUF, RECV3_LEN, RECV3_BIAS, 0, NO_ANSWER);

    /* Standard commands. */
    backdoor_roi_begin(ROI_ID);
    uint64_t value = work();
    backdoor_roi_end(ROI_ID);
    backdoor_mark(MARK_ID, value);
    for (unsigned i = 0; i < sizeof print_text; i++)
        bytes_at(PRINT_BUF)[i] = (uint8_t)print_text[i];
    backdoor_word_t printed = backdoor_print((const char *)PRINT_BUF);
    backdoor_stats_dump();

    /* The checks. */
#ifdef EXPECT_DENIED
    expect("present", present, (backdoor_word_t)BACKDOOR_EPERM);
#else
    /* 0: no host; anything else must be the protocol version. */
    if (present != 0)
        expect("present", present, BACKDOOR_PROTOCOL_VERSION);
#endif
    expect_result("features", features,
                  BACKDOOR_FEATURE_RESULTS | BACKDOOR_FEATURE_MEM_READ |
                      BACKDOOR_FEATURE_MEM_WRITE | BACKDOOR_FEATURE_HANDLER |
                      BACKDOOR_FEATURE_SYSTEM,
                  0);
    expect_result("mix(1,2,3,4)", mix_const, test_mix(1, 2, 3, 4), NO_ANSWER);
    expect_result("mix(runtime)", mix_runtime, test_mix(w0, w1, w2, w3), NO_ANSWER);
    expect_result("sum(runtime)", sum, w0 + w1 + w2 + w3, (backdoor_word_t)BACKDOOR_ENOSYS);
    expect_result("privilege (plugin)", privilege, arch_expected_privilege, NO_ANSWER);
    expect_result("checksum", checksum, test_checksum(bytes_at(SEND_BUF), SEND_LEN),
                  NO_ANSWER);
    expect_result("receive", received, RECV_LEN, NO_ANSWER);
    check_received("receive bytes", RECV_BUF, RECV_LEN, 0);
    expect_result("receive (3 arguments)", received3, RECV3_LEN, NO_ANSWER);
    check_received("receive (3 arguments) bytes", RECV3_BUF, RECV3_LEN, RECV3_BIAS);
    expect_result("print", printed, sizeof print_text - 1, (backdoor_word_t)BACKDOOR_ENOSYS);
    kprintf("work: %lx\n", (unsigned long)value);

    if (mode == NO_HOST)
        kprintf("no host: every request returned its default, no byte changed\n");
    kprintf("calls: %s\n", failures == 0 ? "ok" : "FAILED");
    return failures == 0 ? 0 : 1;
}
