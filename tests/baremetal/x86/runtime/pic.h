/* SPDX-License-Identifier: MIT */
/*
 * The two 8259 interrupt controllers. After reset they deliver IRQs on
 * vectors 8..15, where CPU exceptions live, so they are moved above them
 * before any interrupt is allowed.
 */
#ifndef BAREMETAL_X86_PIC_H
#define BAREMETAL_X86_PIC_H

#include <stdint.h>

#define PIC_VECTOR_BASE 0x20u /* IRQ n arrives on vector 0x20 + n */

/* Remaps both controllers and masks every IRQ line. */
void pic_remap(void);

/* Lets IRQ line irq (0..7, master only) through. */
void pic_unmask(unsigned irq);

#endif
