/* SPDX-License-Identifier: MIT */
/*
 * The four functions GCC may call even in freestanding code (for structure
 * copies and zeroing), written as plain loops. The build compiles with
 * -fno-tree-loop-distribute-patterns so these loops do not become calls to
 * themselves.
 */
#include <stddef.h>
#include <stdint.h>

void *memset(void *dest, int c, size_t n);
void *memcpy(void *restrict dest, const void *restrict src, size_t n);
void *memmove(void *dest, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);

void *memset(void *dest, int c, size_t n)
{
    uint8_t *d = dest;
    while (n-- > 0)
        *d++ = (uint8_t)c;
    return dest;
}

void *memcpy(void *restrict dest, const void *restrict src, size_t n)
{
    uint8_t *d = dest;
    const uint8_t *s = src;
    while (n-- > 0)
        *d++ = *s++;
    return dest;
}

void *memmove(void *dest, const void *src, size_t n)
{
    uint8_t *d = dest;
    const uint8_t *s = src;
    if (d < s) {
        while (n-- > 0)
            *d++ = *s++;
    } else {
        while (n-- > 0)
            d[n] = s[n];
    }
    return dest;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const uint8_t *x = a, *y = b;
    for (size_t i = 0; i < n; i++) {
        if (x[i] != y[i])
            return x[i] < y[i] ? -1 : 1;
    }
    return 0;
}
