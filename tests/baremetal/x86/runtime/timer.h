/* SPDX-License-Identifier: MIT */
/*
 * A periodic timer interrupt for tests that want interrupts to land between
 * (and, with one instruction per translation block, right after) backdoor
 * calls. Its handler counts ticks and overwrites every general register
 * with a poison value before restoring them all: if the plugin ever read a
 * call's arguments or wrote its result while the handler's registers were
 * live instead of the interrupted code's, the call would see the poison.
 */
#ifndef BAREMETAL_X86_TIMER_H
#define BAREMETAL_X86_TIMER_H

#include <stdint.h>

/* Incremented by the IRQ 0 handler; read it with interrupts on. */
extern volatile uint32_t timer_ticks;
/* Spurious IRQ 7s seen (the 8259 signals them for a vanished request). */
extern volatile uint32_t timer_spurious;

/* Needs idt_init() first. Remaps the PIC, starts PIT channel 0 at about hz
 * and enables interrupts; returns the rate programmed. */
uint32_t timer_start(uint32_t hz);

/* Disables interrupts again. */
void timer_stop(void);

#endif
