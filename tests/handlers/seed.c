/* SPDX-License-Identifier: MIT */
/*
 * A handler written for the 2010 seed patch, unchanged: two helper
 * functions and nothing else. It prints each call on stdout.
 */
#include <stdint.h>
#include <stdio.h>

void helper_backdoor_i8(uint8_t i8);
void helper_backdoor_i8_v32(uint8_t i8, uint32_t v32);

void helper_backdoor_i8(uint8_t i8)
{
    printf("seed i8 %u\n", i8);
}

void helper_backdoor_i8_v32(uint8_t i8, uint32_t v32)
{
    printf("seed i8_v32 %u %u\n", i8, v32);
}
