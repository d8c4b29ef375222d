/* SPDX-License-Identifier: MIT */
/*
 * Debugcon output. Numbers are formatted with 32-bit arithmetic only: a
 * 64-bit division would need libgcc, which the kernels do not link.
 */
#include "console.h"

#include <stdarg.h>

#include "io.h"

#define DEBUGCON_PORT 0xe9

void console_putc(char c)
{
    outb(DEBUGCON_PORT, (uint8_t)c);
}

void console_puts(const char *text)
{
    while (*text != '\0')
        console_putc(*text++);
}

void console_hex(uint32_t value)
{
    static const char digits[] = "0123456789abcdef";
    console_puts("0x");
    for (int shift = 28; shift >= 0; shift -= 4)
        console_putc(digits[(value >> shift) & 0xf]);
}

void console_dec(uint32_t value)
{
    char digits[10];
    unsigned n = 0;
    do {
        digits[n++] = (char)('0' + value % 10);
        value /= 10;
    } while (value != 0);
    while (n > 0)
        console_putc(digits[--n]);
}

void console_int(int32_t value)
{
    if (value < 0) {
        console_putc('-');
        /* Through unsigned, so INT32_MIN does not overflow. */
        console_dec(0u - (uint32_t)value);
    } else {
        console_dec((uint32_t)value);
    }
}

void kprintf(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    for (const char *p = format; *p != '\0'; p++) {
        if (*p != '%') {
            console_putc(*p);
            continue;
        }
        switch (*++p) {
        case 's':
            console_puts(va_arg(args, const char *));
            break;
        case 'c':
            console_putc((char)va_arg(args, int));
            break;
        case 'u':
            console_dec(va_arg(args, uint32_t));
            break;
        case 'd':
            console_int(va_arg(args, int32_t));
            break;
        case 'x':
            console_hex(va_arg(args, uint32_t));
            break;
        case '\0':
            p--; /* a lone % at the end: stop at the terminator */
            break;
        default:
            console_putc(*p);
            break;
        }
    }
    va_end(args);
}
