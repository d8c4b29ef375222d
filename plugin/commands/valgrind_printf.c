/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * VALGRIND_PRINTF (commands/valgrind_printf.h). The guest's va_list is
 * copied and walked here, never written back: the guest's own va_end
 * follows. Strings and the format are read under the caller's rights
 * (qemu/memory.h), page by page up to a bound, so a bad pointer prints
 * "(unreadable)" instead of reading what the caller could not.
 */
#include "commands/valgrind_printf.h"

#include <stdio.h>
#include <string.h>

#include "qemu/memory.h"

/* Longest format string and %s argument read from the guest. */
#define MAX_GUEST_STRING 4096

static bool read_mem(struct vcpu *vcpu, uint64_t addr, void *dest, size_t len)
{
    const uint8_t *data = guest_copy_in(vcpu, addr, len);
    if (data == NULL) {
        return false;
    }
    memcpy(dest, data, len);
    return true;
}

static uint64_t read_word(struct vcpu *vcpu, uint64_t addr, unsigned size, bool *ok)
{
    uint8_t bytes[8] = {0};
    if (!read_mem(vcpu, addr, bytes, size)) {
        *ok = false;
        return 0;
    }
    uint64_t value = 0;
    for (int i = (int)size - 1; i >= 0; i--) {
        value = value << 8 | bytes[i];
    }
    return value;
}

/* A NUL-terminated guest string, at most max bytes; false if the first
 * byte cannot be read. Reads stop at page ends, so a string that ends
 * before an unmapped page is read whole. */
static bool read_string(struct vcpu *vcpu, uint64_t addr, size_t max, GString *out)
{
    while (out->len < max) {
        size_t chunk = 4096 - (addr & 4095);
        if (chunk > max - out->len) {
            chunk = max - out->len;
        }
        const uint8_t *data = guest_copy_in(vcpu, addr, chunk);
        if (data == NULL) {
            return out->len > 0;
        }
        const uint8_t *nul = memchr(data, 0, chunk);
        g_string_append_len(out, (const char *)data, nul ? nul - data : (gssize)chunk);
        if (nul != NULL) {
            break;
        }
        addr += chunk;
    }
    return true;
}

/* The va_list being walked, copied out of the guest. */
struct args {
    struct vcpu *vcpu;
    enum va_list_abi abi;
    unsigned word;
    bool ok;
    /* x86-64: gp_offset, fp_offset, overflow area, register save area;
     * aarch64: stack, gr_top, vr_top, gr_offs, vr_offs; i386: the pointer. */
    uint64_t stack, gr_base, vr_base;
    int64_t gr_offs, vr_offs;
};

static bool args_open(struct args *a, uint64_t va_list, bool by_ref)
{
    bool ok = true;
    struct vcpu *vcpu = a->vcpu;
    switch (a->abi) {
    case VA_LIST_I386:
        a->stack = by_ref ? read_word(vcpu, va_list, 4, &ok) : va_list;
        break;
    case VA_LIST_X86_64:
        /* An array type: "by value" passes its address as well. */
        a->gr_offs = (int64_t)read_word(vcpu, va_list, 4, &ok);
        a->vr_offs = (int64_t)read_word(vcpu, va_list + 4, 4, &ok);
        a->stack = read_word(vcpu, va_list + 8, 8, &ok);
        a->gr_base = a->vr_base = read_word(vcpu, va_list + 16, 8, &ok);
        break;
    case VA_LIST_AARCH64:
        if (!by_ref) {
            return false; /* a 32-byte struct cannot travel in a word */
        }
        a->stack = read_word(vcpu, va_list, 8, &ok);
        a->gr_base = read_word(vcpu, va_list + 8, 8, &ok);
        a->vr_base = read_word(vcpu, va_list + 16, 8, &ok);
        a->gr_offs = (int32_t)read_word(vcpu, va_list + 24, 4, &ok);
        a->vr_offs = (int32_t)read_word(vcpu, va_list + 28, 4, &ok);
        break;
    }
    return ok;
}

/*
 * Where the next argument is: integers (fp false) in the general register
 * area, doubles in the vector one, each until its area is used up, then on
 * the stack. x86-64 counts offsets up to the area's end (48 and 176 bytes),
 * aarch64 negative offsets up to 0; i386 has only the stack.
 */
static uint64_t next_address(struct args *a, bool fp, unsigned size)
{
    int64_t *offs = fp ? &a->vr_offs : &a->gr_offs;
    uint64_t base = fp ? a->vr_base : a->gr_base;
    int64_t limit = a->abi == VA_LIST_X86_64 ? (fp ? 176 : 48) : 0;
    if (a->abi != VA_LIST_I386 && *offs < limit) {
        uint64_t addr = base + (uint64_t)*offs;
        *offs += fp ? 16 : 8;
        return addr;
    }
    uint64_t addr = a->stack;
    a->stack += a->abi == VA_LIST_I386 ? size : 8;
    return addr;
}

/* The next integer argument of size bytes (4 or 8). */
static uint64_t next_int(struct args *a, unsigned size)
{
    return read_word(a->vcpu, next_address(a, false, size), size, &a->ok);
}

static double next_double(struct args *a)
{
    uint64_t bits = read_word(a->vcpu, next_address(a, true, 8), 8, &a->ok);
    double d;
    memcpy(&d, &bits, sizeof d);
    return d;
}

/* Formats one conversion; spec is "%...c" as the guest wrote it, with the
 * length modifier removed and '*' replaced by numbers. */
static void convert(struct args *a, const char *flags, int width, int precision, int size,
                    char conv, GString *out)
{
    char spec[64];
    char fmt_width[16] = "", fmt_prec[16] = "";
    if (width >= 0) {
        snprintf(fmt_width, sizeof fmt_width, "%d", width);
    }
    if (precision >= 0) {
        snprintf(fmt_prec, sizeof fmt_prec, ".%d", precision);
    }
    switch (conv) {
    case 'd': case 'i': {
        uint64_t raw = next_int(a, size > 4 ? 8 : 4);
        int64_t v = size == 1 ? (int8_t)raw : size == 2 ? (int16_t)raw
                    : size == 4 ? (int32_t)raw : (int64_t)raw;
        snprintf(spec, sizeof spec, "%%%s%s%sll%c", flags, fmt_width, fmt_prec, conv);
        g_string_append_printf(out, spec, (long long)v);
        break;
    }
    case 'u': case 'o': case 'x': case 'X': {
        uint64_t v = next_int(a, size > 4 ? 8 : 4);
        if (size < 8) {
            v &= (1ull << (8 * size)) - 1;
        }
        snprintf(spec, sizeof spec, "%%%s%s%sll%c", flags, fmt_width, fmt_prec, conv);
        g_string_append_printf(out, spec, (unsigned long long)v);
        break;
    }
    case 'c': {
        int c = (int)(uint8_t)next_int(a, 4);
        snprintf(spec, sizeof spec, "%%%s%sc", flags, fmt_width);
        g_string_append_printf(out, spec, c);
        break;
    }
    case 'p': {
        uint64_t v = next_int(a, a->word);
        g_string_append_printf(out, "0x%llx", (unsigned long long)v);
        break;
    }
    case 's': {
        uint64_t addr = next_int(a, a->word);
        GString *s = g_string_new(NULL);
        size_t max = precision >= 0 && precision < MAX_GUEST_STRING ? (size_t)precision
                                                                     : MAX_GUEST_STRING;
        if (addr == 0) {
            g_string_assign(s, "(null)");
        } else if (!read_string(a->vcpu, addr, max, s)) {
            g_string_assign(s, "(unreadable)");
        }
        snprintf(spec, sizeof spec, "%%%s%s%ss", flags, fmt_width, fmt_prec);
        g_string_append_printf(out, spec, s->str);
        g_string_free(s, TRUE);
        break;
    }
    case 'f': case 'F': case 'e': case 'E': case 'g': case 'G': case 'a': case 'A': {
        double d = next_double(a);
        snprintf(spec, sizeof spec, "%%%s%s%s%c", flags, fmt_width, fmt_prec, conv);
        g_string_append_printf(out, spec, d);
        break;
    }
    }
}

void valgrind_format(struct vcpu *vcpu, uint64_t format, uint64_t va_list, bool by_ref,
                     unsigned word_size, enum va_list_abi abi, GString *out)
{
    GString *fmt = g_string_new(NULL);
    if (format == 0 || !read_string(vcpu, format, MAX_GUEST_STRING, fmt)) {
        g_string_append(out, "(unreadable format)");
        g_string_free(fmt, TRUE);
        return;
    }
    struct args a = {.vcpu = vcpu, .abi = abi, .word = word_size, .ok = true};
    bool have_args = args_open(&a, va_list, by_ref);
    const char *p = fmt->str;
    while (*p != '\0') {
        if (*p != '%') {
            const char *next = strchr(p, '%');
            size_t len = next ? (size_t)(next - p) : strlen(p);
            g_string_append_len(out, p, (gssize)len);
            p += len;
            continue;
        }
        const char *start = p++;
        char flags[8] = "";
        size_t nflags = 0;
        while (*p != '\0' && strchr("-+ #0", *p) != NULL) {
            if (nflags + 1 < sizeof flags) {
                flags[nflags++] = *p;
                flags[nflags] = '\0';
            }
            p++;
        }
        int width = -1, precision = -1;
        if (*p == '*') {
            width = have_args ? (int)(int32_t)next_int(&a, 4) : 0;
            p++;
        } else if (*p >= '0' && *p <= '9') {
            width = (int)strtol(p, (char **)&p, 10);
        }
        if (*p == '.') {
            p++;
            if (*p == '*') {
                precision = have_args ? (int)(int32_t)next_int(&a, 4) : 0;
                p++;
            } else {
                precision = (int)strtol(p, (char **)&p, 10);
            }
        }
        int size = 4, longs = 0;
        bool long_double = false;
        for (;; p++) {
            if (*p == 'h') {
                size = size == 2 ? 1 : 2;
            } else if (*p == 'l') {
                /* long is the guest's word; long long is 8 bytes. */
                size = ++longs == 1 ? (int)word_size : 8;
            } else if (*p == 'q' || *p == 'j') {
                size = 8;
            } else if (*p == 'z' || *p == 't') {
                size = (int)word_size;
            } else if (*p == 'L') {
                long_double = true;
            } else {
                break;
            }
        }
        char conv = *p;
        if (conv == '\0') {
            g_string_append(out, start);
            break;
        }
        p++;
        if (conv == '%') {
            g_string_append_c(out, '%');
        } else if (!have_args || long_double || strchr("diuoxXcpsfFeEgGaA", conv) == NULL) {
            /* %n writes guest memory, long double needs its own walk:
             * neither is worth it here. */
            g_string_append_len(out, start, (gssize)(p - start));
        } else {
            width = width > 4096 ? 4096 : width;
            precision = precision > 4096 ? 4096 : precision;
            convert(&a, flags, width, precision, size, conv, out);
        }
    }
    g_string_free(fmt, TRUE);
}
