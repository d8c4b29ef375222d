/* SPDX-License-Identifier: MIT */
/*
 * A known sequence of seed calls and extended calls from a bare-metal
 * kernel, the first code the machine runs after the firmware.
 * tests/test_system_x86.py holds the sequence the handler must log; this
 * side checks every result the host returns. Under a QEMU that cannot write
 * results (plugin API 4) backdoor_present() is 0 and the checks are skipped,
 * but the calls are still made, so the handler's log must be the same.
 */
#include <backdoor/guest.h>

#include "console.h"
#include "kernel.h"
#include "test_commands.h"

/* Opaque to the compiler, so these reach CPUID through registers. */
volatile uint32_t runtime_i8 = 9, runtime_v32 = 123456789;
volatile uint32_t runtime_words[4] = {0x89abcdefu, 0xfedcba98u, 7u, 0x80000001u};

static unsigned failures;

static void expect(const char *what, uint32_t got, uint32_t want)
{
    kprintf("%s: got %x want %x%s\n", what, got, want, got == want ? "" : "  MISMATCH");
    if (got != want)
        failures++;
}

int kernel_main(uint32_t magic, const void *multiboot_info)
{
    (void)multiboot_info;
    kprintf("calls: multiboot magic %x\n", magic);

    BACKDOOR_i8(1);
    BACKDOOR_i8_v32(2, 0xdeadbeef);
    BACKDOOR_i8(255);
    BACKDOOR_i8_v32(runtime_i8, runtime_v32);
    for (uint32_t i = 0; i < 3; i++)
        BACKDOOR_i8_v32(4, runtime_v32 + i);
    BACKDOOR_i8(runtime_i8 + 1);

    uint32_t present = backdoor_present();
    kprintf("present: %u\n", present);

    /* Constant arguments (decoded when translated), then run-time ones. */
    uint32_t mix_const = backdoor_call4(CMD_MIX, 1, 2, 3, 4, 0);
    uint32_t w0 = runtime_words[0], w1 = runtime_words[1];
    uint32_t w2 = runtime_words[2], w3 = runtime_words[3];
    uint32_t mix_runtime = backdoor_call4(CMD_MIX, w0, w1, w2, w3, 0);
    uint32_t sum = backdoor_sum(w0, w1, w2, w3);
    /* Only its log line is checked: the ABI leaves the unused arguments
     * (which test_mix reads) unspecified. */
    backdoor_call2(CMD_MIX, w3, w2, 0x77);

    if (present == 0) {
        kprintf("no results from the host: checks skipped\n");
    } else {
        expect("present", present, BACKDOOR_PROTOCOL_VERSION);
        expect("mix(1,2,3,4)", mix_const, (uint32_t)test_mix(1, 2, 3, 4));
        expect("mix(runtime)", mix_runtime, (uint32_t)test_mix(w0, w1, w2, w3));
        /* i386 words: the sum wraps at 32 bits. */
        expect("sum(runtime)", sum, w0 + w1 + w2 + w3);
    }
    kprintf("calls: %s\n", failures == 0 ? "ok" : "FAILED");
    return failures == 0 ? 0 : 1;
}
