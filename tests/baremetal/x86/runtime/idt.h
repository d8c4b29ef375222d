/* SPDX-License-Identifier: MIT */
/*
 * The interrupt descriptor table. idt_init() routes every CPU exception to a
 * report on debugcon and a nonzero exit, so a kernel that faults says where
 * instead of triple-faulting (which QEMU with -no-reboot would turn into a
 * plain exit that hides the cause).
 */
#ifndef BAREMETAL_X86_IDT_H
#define BAREMETAL_X86_IDT_H

#include <stdint.h>

/* Exit value of a kernel stopped by a CPU exception: this plus the vector. */
#define EXIT_EXCEPTION_BASE 64u

void idt_init(void);

/* Points vector at handler, an assembly entry that ends in iret. */
void idt_set_gate(uint8_t vector, void (*handler)(void));

#endif
