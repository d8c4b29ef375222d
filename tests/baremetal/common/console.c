/* SPDX-License-Identifier: MIT */
/*
 * Formatted output over console_putc(), the runtime's UART or debugcon. No
 * 64-bit division: on i386 it would need libgcc, which the kernels do not
 * link.
 */
#include "console.h"

#include <stdarg.h>

#include "platform.h"

void console_puts(const char *text)
{
    while (*text != '\0')
        console_putc(*text++);
}

static void put_hex(uint64_t value, int digits)
{
    static const char set[] = "0123456789abcdef";
    console_puts("0x");
    for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4)
        console_putc(set[(value >> shift) & 0xf]);
}

/* value /= 10 in 16-bit steps, returning the remainder. */
static unsigned divide_by_10(uint64_t *value)
{
    uint64_t quotient = 0;
    uint32_t remainder = 0;
    for (int shift = 48; shift >= 0; shift -= 16) {
        uint32_t part = remainder << 16 | (uint32_t)(*value >> shift & 0xffff);
        quotient |= (uint64_t)(part / 10) << shift;
        remainder = part % 10;
    }
    *value = quotient;
    return remainder;
}

static void put_dec(uint64_t value)
{
    char digits[20];
    unsigned n = 0;
    do {
        digits[n++] = (char)('0' + divide_by_10(&value));
    } while (value != 0);
    while (n > 0)
        console_putc(digits[--n]);
}

static void put_signed(int64_t value)
{
    if (value < 0) {
        console_putc('-');
        /* Through unsigned, so INT64_MIN does not overflow. */
        put_dec(0u - (uint64_t)value);
    } else {
        put_dec((uint64_t)value);
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
        int is_long = 0;
        if (*++p == 'l') {
            is_long = 1;
            p++;
        }
        switch (*p) {
        case 's':
            console_puts(va_arg(args, const char *));
            break;
        case 'c':
            console_putc((char)va_arg(args, int));
            break;
        case 'u':
            put_dec(is_long ? va_arg(args, unsigned long) : va_arg(args, unsigned));
            break;
        case 'd':
            put_signed(is_long ? va_arg(args, long) : va_arg(args, int));
            break;
        case 'x':
            if (is_long)
                put_hex(va_arg(args, unsigned long), 16);
            else
                put_hex(va_arg(args, unsigned), 8);
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
