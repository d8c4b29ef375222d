/* SPDX-License-Identifier: MIT */
/*
 * 8259 initialisation: the ICW1..ICW4 sequence, cascaded on IRQ 2, 8086
 * mode. End of interrupt is sent by the assembly IRQ handlers themselves.
 */
#include "pic.h"

#include "io.h"

#define MASTER_COMMAND 0x20
#define MASTER_DATA 0x21
#define SLAVE_COMMAND 0xa0
#define SLAVE_DATA 0xa1
#define ICW1_INIT_WITH_ICW4 0x11
#define ICW4_8086 0x01

void pic_remap(void)
{
    outb(MASTER_COMMAND, ICW1_INIT_WITH_ICW4);
    outb(SLAVE_COMMAND, ICW1_INIT_WITH_ICW4);
    outb(MASTER_DATA, PIC_VECTOR_BASE);
    outb(SLAVE_DATA, PIC_VECTOR_BASE + 8);
    outb(MASTER_DATA, 1u << 2); /* the slave hangs on IRQ 2 */
    outb(SLAVE_DATA, 2);        /* its cascade identity */
    outb(MASTER_DATA, ICW4_8086);
    outb(SLAVE_DATA, ICW4_8086);
    outb(MASTER_DATA, 0xff);
    outb(SLAVE_DATA, 0xff);
}

void pic_unmask(unsigned irq)
{
    outb(MASTER_DATA, (uint8_t)(inb(MASTER_DATA) & ~(1u << irq)));
}
