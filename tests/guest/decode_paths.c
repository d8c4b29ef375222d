/* SPDX-License-Identifier: MIT */
/*
 * The same calls twice: first with compile-time constants (decoded when the
 * code is translated), then with values the compiler cannot see (decoded
 * when the CPUID executes). Handler log and event records must match.
 */
#include <stdio.h>

#include <backdoor/guest.h>

#include "test_commands.h"

/* Volatile: the second round's values come from memory at run time. */
volatile backdoor_word_t v1 = 1, v2 = 2, v3 = 3, v4 = 4, v5 = 5, v7 = 7, v42 = 42;
volatile uint16_t mix_cmd = CMD_MIX, sum_cmd = BACKDOOR_OP_SUM;
volatile uint8_t i8_5 = 5, i8_6 = 6;

int main(void)
{
    backdoor_word_t r[2][4];

    BACKDOOR_i8(5);
    BACKDOOR_i8_v32(6, 42);
    backdoor_roi_begin(3);
    backdoor_mark(7, 42);
    backdoor_roi_end(3);
    r[0][0] = backdoor_call4(CMD_MIX, 1, 2, 3, 4, 0);
    r[0][1] = backdoor_call4(BACKDOOR_OP_SUM, 1, 2, 3, 4, 0);
    r[0][2] = backdoor_call2(CMD_MIX, 5, 7, 0);
    r[0][3] = backdoor_present();

    BACKDOOR_i8(i8_5);
    BACKDOOR_i8_v32(i8_6, (uint32_t)v42);
    backdoor_roi_begin(v3);
    backdoor_mark(v7, v42);
    backdoor_roi_end(v3);
    r[1][0] = backdoor_call4(mix_cmd, v1, v2, v3, v4, 0);
    r[1][1] = backdoor_call4(sum_cmd, v1, v2, v3, v4, 0);
    r[1][2] = backdoor_call2(mix_cmd, v5, v7, 0);
    r[1][3] = backdoor_present();

    for (int i = 0; i < 4; i++) {
        printf("%llu %llu\n", (unsigned long long)r[0][i], (unsigned long long)r[1][i]);
    }
    return 0;
}
