/* SPDX-License-Identifier: MIT */
/*
 * Text on the board's UART, which the tests collect in a file: the kernels
 * report what they did there, so a failing test shows the guest's side.
 */
#ifndef BAREMETAL_PORTABLE_CONSOLE_H
#define BAREMETAL_PORTABLE_CONSOLE_H

#include <stdint.h>

/* One byte to the console; each architecture's runtime provides it (the
 * board's UART, or debugcon on x86). */
void console_putc(char c);

void console_puts(const char *text);

/*
 * A printf subset: %s %c %u %d (int), %x (unsigned int, 0x and 8 digits),
 * %lu %ld (long), %lx (unsigned long, 0x and 16 digits, so 64-bit words line
 * up), %%. Enough for test reports, with no C library.
 */
void kprintf(const char *format, ...) __attribute__((format(printf, 1, 2)));

#endif
