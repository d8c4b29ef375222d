/* SPDX-License-Identifier: MIT */
/*
 * isa-debug-exit. Without the device the write does nothing, so the kernel
 * then halts with interrupts off; the harness's timeout turns that into a
 * failure instead of a silent success.
 */
#include "exit.h"

#include "console.h"
#include "io.h"

#define DEBUG_EXIT_PORT 0xf4

_Noreturn void qemu_exit(uint32_t value)
{
    kprintf("exit %u\n", value);
    outl(DEBUG_EXIT_PORT, value);
    console_puts("isa-debug-exit did not end the emulation; halting\n");
    for (;;)
        __asm__ __volatile__("cli; hlt");
}
