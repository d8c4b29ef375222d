/* SPDX-License-Identifier: MIT */
/*
 * x86 port I/O, the only way the test kernels talk to QEMU's devices
 * (debugcon, isa-debug-exit, the 8259 PIC and the 8254 PIT).
 */
#ifndef BAREMETAL_X86_IO_H
#define BAREMETAL_X86_IO_H

#include <stdint.h>

static inline void outb(uint16_t port, uint8_t value)
{
    __asm__ __volatile__("outb %0, %1" : : "a"(value), "Nd"(port));
}

static inline void outl(uint16_t port, uint32_t value)
{
    __asm__ __volatile__("outl %0, %1" : : "a"(value), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
    uint8_t value;
    __asm__ __volatile__("inb %1, %0" : "=a"(value) : "Nd"(port));
    return value;
}

#endif
