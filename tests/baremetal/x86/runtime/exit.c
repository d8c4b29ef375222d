/* SPDX-License-Identifier: MIT */
/*
 * isa-debug-exit. QEMU acts on the write asynchronously (a shutdown request
 * that the main loop serves), so the CPU may run on for a moment: it halts
 * with interrupts off. Without the device it stays halted, and the
 * harness's timeout turns that into a failure instead of a silent success.
 */
#include "exit.h"

#include "console.h"
#include "io.h"

#define DEBUG_EXIT_PORT 0xf4

_Noreturn void qemu_exit(uint32_t value)
{
    kprintf("exit %u\n", value);
    outl(DEBUG_EXIT_PORT, value);
    for (;;)
        __asm__ __volatile__("cli; hlt");
}
