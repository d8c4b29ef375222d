/* SPDX-License-Identifier: MIT */
/*
 * Backdoor calls under a storm of timer interrupts: calls of CMD_MIX with
 * random run-time arguments while PIT channel 0 fires at TIMER_HZ, each
 * result checked against test_mix. The interrupt handler poisons every
 * register before restoring it, so a result or argument taken from the
 * wrong moment shows up as a mismatch. The run only counts if interrupts
 * really arrived during the loop: it makes at least MIN_ITERATIONS calls and
 * goes on until MIN_TICKS ticks have arrived, because QEMU drops the ticks
 * its timer thread misses on a busy host instead of catching up.
 * Exit values: 0 success, 1 mismatches, 2 too few ticks, 3 no host.
 */
#include <backdoor/guest.h>

#include "console.h"
#include "idt.h"
#include "kernel.h"
#include "test_commands.h"
#include "timer.h"

#define TIMER_HZ 50000u
#define MIN_ITERATIONS 100000u
#define MAX_ITERATIONS 3000000u
#define MIN_TICKS 100u
#define MISMATCHES_SHOWN 8u
/* Returned when no host answers; test_mix hits it only by chance. */
#define NO_ANSWER 0x5eed5eedu

static uint32_t xorshift32(uint32_t *state)
{
    uint32_t x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *state = x;
    return x;
}

int kernel_main(uint32_t magic, const void *multiboot_info)
{
    (void)magic, (void)multiboot_info;
    idt_init();
    if (backdoor_present() == 0) {
        kprintf("roundtrip_irq: no host answers backdoor_present()\n");
        return 3;
    }
    uint32_t rate = timer_start(TIMER_HZ);
    kprintf("roundtrip_irq: PIT at %u Hz, %u to %u iterations\n", rate, MIN_ITERATIONS,
            MAX_ITERATIONS);

    uint32_t state = 0x12345678u, mismatches = 0, interrupted = 0, i;
    uint32_t ticks_before = timer_ticks;
    for (i = 0; i < MIN_ITERATIONS ||
                (timer_ticks - ticks_before < MIN_TICKS && i < MAX_ITERATIONS);
         i++) {
        uint32_t a0 = xorshift32(&state), a1 = xorshift32(&state);
        uint32_t a2 = xorshift32(&state), a3 = xorshift32(&state);
        uint32_t ticks = timer_ticks;
        uint32_t got = backdoor_call4(CMD_MIX, a0, a1, a2, a3, NO_ANSWER);
        /* Words are 32 bits on i386: the host's 64-bit mix is cut there. */
        uint32_t want = (uint32_t)test_mix(a0, a1, a2, a3);
        if (timer_ticks != ticks)
            interrupted++;
        if (got != want) {
            if (mismatches++ < MISMATCHES_SHOWN)
                kprintf("mismatch at %u: mix(%x, %x, %x, %x) got %x want %x\n", i,
                        a0, a1, a2, a3, got, want);
        }
    }
    uint32_t ticks = timer_ticks - ticks_before;
    timer_stop();

    kprintf("iterations %u mismatches %u ticks %u interrupted-calls %u spurious %u\n",
            i, mismatches, ticks, interrupted, timer_spurious);
    if (mismatches != 0)
        return 1;
    if (ticks < MIN_TICKS) {
        kprintf("too few timer ticks (minimum %u): interrupts did not arrive\n",
                MIN_TICKS);
        return 2;
    }
    kprintf("roundtrip_irq: ok\n");
    return 0;
}
