/* SPDX-License-Identifier: MIT */
/*
 * Channel 0 in mode 2 (rate generator): one IRQ 0 edge every divisor input
 * clocks, repeated without reprogramming.
 */
#include "pit.h"

#include "io.h"

#define PIT_CHANNEL0 0x40
#define PIT_COMMAND 0x43
#define PIT_CH0_LOHI_MODE2 0x34

uint32_t pit_start(uint32_t hz)
{
    uint32_t divisor = (PIT_INPUT_HZ + hz / 2) / hz;
    /* The counter is 16 bits wide; 0 would mean 65536. */
    if (divisor < 1)
        divisor = 1;
    if (divisor > 0xffff)
        divisor = 0xffff;
    outb(PIT_COMMAND, PIT_CH0_LOHI_MODE2);
    outb(PIT_CHANNEL0, (uint8_t)divisor);
    outb(PIT_CHANNEL0, (uint8_t)(divisor >> 8));
    return PIT_INPUT_HZ / divisor;
}
