/* SPDX-License-Identifier: MIT */
/*
 * The timer's interrupt handlers, in assembly so that they control every
 * register. IRQ 0 saves all general registers with pusha, poisons each one
 * (timer.h says why), counts the tick, acknowledges the PIC and restores
 * everything with popa; iret restores EFLAGS.
 */
#define PIC_MASTER_COMMAND 0x20
#define PIC_EOI 0x20

    .section .text
    .globl timer_irq0_entry
    .type timer_irq0_entry, @function
timer_irq0_entry:
    pusha
    movl $0xbad0bad0, %eax
    movl $0xbad1bad1, %ecx
    movl $0xbad2bad2, %edx
    movl $0xbad3bad3, %ebx
    movl $0xbad5bad5, %ebp
    movl $0xbad6bad6, %esi
    movl $0xbad7bad7, %edi
    incl timer_ticks
    movb $PIC_EOI, %al
    outb %al, $PIC_MASTER_COMMAND
    popa
    iret
    .size timer_irq0_entry, . - timer_irq0_entry

    /* A spurious IRQ 7 is not in service, so it must get no EOI. */
    .globl timer_irq7_entry
    .type timer_irq7_entry, @function
timer_irq7_entry:
    incl timer_spurious
    iret
    .size timer_irq7_entry, . - timer_irq7_entry

    .section .note.GNU-stack, "", @progbits
