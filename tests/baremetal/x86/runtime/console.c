/* SPDX-License-Identifier: MIT */
/*
 * The x86 kernels' console: QEMU's debugcon (port 0xe9), which the test
 * harness collects in a file. Formatting is tests/baremetal/common/console.c.
 */
#include "console.h"
#include "io.h"

#define DEBUGCON_PORT 0xe9

void console_putc(char c)
{
    outb(DEBUGCON_PORT, (uint8_t)c);
}
