/* SPDX-License-Identifier: MIT */
/*
 * Text output on QEMU's debugcon (port 0xe9), which the test harness
 * collects in a file: the kernels report what they did there, so a failing
 * test shows the guest's side of the story.
 */
#ifndef BAREMETAL_X86_CONSOLE_H
#define BAREMETAL_X86_CONSOLE_H

#include <stdint.h>

void console_putc(char c);
void console_puts(const char *text);
void console_hex(uint32_t value);  /* always 0x and 8 digits */
void console_dec(uint32_t value);
void console_int(int32_t value);

/*
 * A printf subset: %s %c %u %d %x (%x prints 0x and 8 digits, so columns of
 * words line up), %%. Enough for test reports, with no C library.
 */
void kprintf(const char *format, ...) __attribute__((format(printf, 1, 2)));

#endif
