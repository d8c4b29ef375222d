/* SPDX-License-Identifier: MIT */
/*
 * x86 repeated string instructions as functions, for the tests of
 * count-reps=on (tests/test_repeats.py) in user programs and bare-metal
 * kernels alike. Each returns what is left of its count: the count
 * register is an unsigned long (RCX in 64-bit code, ECX in 32-bit code).
 */
#ifndef BACKDOOR_TESTS_REPEATED_STRINGS_H
#define BACKDOOR_TESTS_REPEATED_STRINGS_H

static inline unsigned long rep_movsb(void *dst, const void *src, unsigned long n)
{
    __asm__ volatile("rep movsb" : "+D"(dst), "+S"(src), "+c"(n) : : "memory");
    return n;
}

static inline unsigned long rep_stosl(void *dst, unsigned value, unsigned long n)
{
    __asm__ volatile("rep stosl" : "+D"(dst), "+c"(n) : "a"(value) : "memory");
    return n;
}

/* The count left plus the last byte loaded. */
static inline unsigned long rep_lodsb(const void *src, unsigned long n)
{
    unsigned char last = 0;
    __asm__ volatile("rep lodsb" : "+S"(src), "+c"(n), "+a"(last) : : "memory");
    return n + last;
}

static inline unsigned long repe_cmpsb(const void *x, const void *y, unsigned long n)
{
    __asm__ volatile("repe cmpsb" : "+D"(x), "+S"(y), "+c"(n) : : "memory", "cc");
    return n;
}

/* Backwards (DF set), from the last doublewords down. */
static inline unsigned long repe_cmpsl_down(const void *x_last, const void *y_last,
                                            unsigned long n)
{
    __asm__ volatile("std\n\trepe cmpsl\n\tcld"
                     : "+D"(x_last), "+S"(y_last), "+c"(n) : : "memory", "cc");
    return n;
}

static inline unsigned long repne_scasb(const void *s, unsigned char c, unsigned long n)
{
    __asm__ volatile("repne scasb" : "+D"(s), "+c"(n) : "a"(c) : "memory", "cc");
    return n;
}

static inline unsigned long repne_scasw(const void *s, unsigned short c, unsigned long n)
{
    __asm__ volatile("repne scasw" : "+D"(s), "+c"(n) : "a"(c) : "memory", "cc");
    return n;
}

#endif
