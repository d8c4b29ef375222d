/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A function whose symbol tests/test_profile.py rewrites in the ELF's
 * string table to hold newlines and a Callgrind cost line: the profile
 * must name it without letting the name write lines of its own.
 */
#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline)) unsigned long evilXfnYforgedX0Z999999999(unsigned long n)
{
    unsigned long sum = 0;
    for (unsigned long i = 0; i < n; i++) {
        sum += i * i;
        __asm__ volatile("" : "+r"(sum));
    }
    return sum;
}

int main(int argc, char **argv)
{
    unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 10) : 100000;
    printf("%lu\n", evilXfnYforgedX0Z999999999(n));
    return 0;
}
