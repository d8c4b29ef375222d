/* SPDX-License-Identifier: MIT */
/*
 * IDT set-up and the C side of the exception path. Gates are 32-bit
 * interrupt gates (interrupts stay off inside a handler) on the code
 * segment boot.S loads.
 */
#include "idt.h"

#include "console.h"
#include "exit.h"

#define CODE_SELECTOR 0x08
#define GATE_INTERRUPT32 0x8e /* present, ring 0, 32-bit interrupt gate */
#define VECTORS 256

struct gate {
    uint16_t offset_low;
    uint16_t selector;
    uint8_t zero;
    uint8_t flags;
    uint16_t offset_high;
} __attribute__((packed));

struct idt_pointer {
    uint16_t limit;
    uint32_t base;
} __attribute__((packed));

/* What the entry stubs of isr.S push, lowest address first. */
struct exception_frame {
    uint32_t vector;
    uint32_t error;
    uint32_t eip;
    uint32_t cs;
    uint32_t eflags;
};

extern void (*const exception_stubs[32])(void);
_Noreturn void exception_report(const struct exception_frame *frame);

static struct gate idt[VECTORS] __attribute__((aligned(8)));

void idt_set_gate(uint8_t vector, void (*handler)(void))
{
    uint32_t offset = (uint32_t)handler;
    idt[vector].offset_low = (uint16_t)offset;
    idt[vector].selector = CODE_SELECTOR;
    idt[vector].zero = 0;
    idt[vector].flags = GATE_INTERRUPT32;
    idt[vector].offset_high = (uint16_t)(offset >> 16);
}

void idt_init(void)
{
    for (unsigned v = 0; v < 32; v++)
        idt_set_gate((uint8_t)v, exception_stubs[v]);
    struct idt_pointer pointer = {sizeof idt - 1, (uint32_t)idt};
    __asm__ __volatile__("lidt %0" : : "m"(pointer));
}

_Noreturn void exception_report(const struct exception_frame *frame)
{
    uint32_t cr2;
    /* CR2 names the faulting address of a page fault (vector 14). */
    __asm__ __volatile__("movl %%cr2, %0" : "=r"(cr2));
    kprintf("CPU exception %u error %x at eip %x cr2 %x\n", frame->vector,
            frame->error, frame->eip, cr2);
    qemu_exit(EXIT_EXCEPTION_BASE + frame->vector);
}
