/* SPDX-License-Identifier: MIT */
/*
 * The 8254 programmable interval timer, channel 0 (wired to IRQ 0).
 */
#ifndef BAREMETAL_X86_PIT_H
#define BAREMETAL_X86_PIT_H

#include <stdint.h>

#define PIT_INPUT_HZ 1193182u

/* Periodic interrupts at about hz (19..1193182); returns the rate really
 * programmed, which the divisor's rounding makes differ slightly. */
uint32_t pit_start(uint32_t hz);

#endif
