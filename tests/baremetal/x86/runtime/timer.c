/* SPDX-License-Identifier: MIT */
/*
 * Wiring of the timer: the IRQ 0 and spurious IRQ 7 gates (their handlers
 * are in timer_irq.S), the PIC, the PIT, and the interrupt flag.
 */
#include "timer.h"

#include "idt.h"
#include "pic.h"
#include "pit.h"

volatile uint32_t timer_ticks;
volatile uint32_t timer_spurious;

void timer_irq0_entry(void);
void timer_irq7_entry(void);

uint32_t timer_start(uint32_t hz)
{
    pic_remap();
    idt_set_gate(PIC_VECTOR_BASE + 0, timer_irq0_entry);
    idt_set_gate(PIC_VECTOR_BASE + 7, timer_irq7_entry);
    uint32_t rate = pit_start(hz);
    pic_unmask(0);
    __asm__ __volatile__("sti" : : : "memory");
    return rate;
}

void timer_stop(void)
{
    __asm__ __volatile__("cli" : : : "memory");
}
