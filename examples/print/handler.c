/* SPDX-License-Identifier: MIT */
/*
 * The seed's example, host side: a handler library in the 2010 seed's form,
 * two functions and nothing else, printing each number it receives.
 */
#include <stdint.h>
#include <stdio.h>

void helper_backdoor_i8(uint8_t i8);
void helper_backdoor_i8_v32(uint8_t i8, uint32_t v32);

void helper_backdoor_i8(uint8_t i8)
{
    printf("host:  BACKDOOR_i8(%u)\n", i8);
    fflush(stdout);
}

void helper_backdoor_i8_v32(uint8_t i8, uint32_t v32)
{
    printf("host:  BACKDOOR_i8_v32(%u, %u)\n", i8, v32);
    fflush(stdout);
}
