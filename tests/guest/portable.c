/* SPDX-License-Identifier: MIT */
/*
 * One guest program for every architecture: seed calls, extended calls with
 * results, bulk data both ways and the standard commands, printing a
 * transcript that must be identical on x86-64, i386, aarch64 and riscv64
 * (values are chosen to fit 32 bits, and results are shown as 32 bits).
 */
#include <stdio.h>
#include <string.h>

#include <backdoor/guest.h>

#include "test_commands.h"

static volatile uint32_t runtime_value = 31337;

int main(void)
{
    uint8_t bytes[100], filled[64];
    char info[128];
    for (int i = 0; i < 100; i++) {
        bytes[i] = (uint8_t)(i * 5 + 3);
    }
    BACKDOOR_i8(1);
    BACKDOOR_i8_v32(2, 0xdeadbeef);
    BACKDOOR_i8_v32(3, runtime_value);
    printf("present %lu\n", (unsigned long)backdoor_present());
    printf("features %lx\n", (unsigned long)backdoor_features());
    printf("mix %08lx\n", (unsigned long)(uint32_t)backdoor_call4(CMD_MIX, 7, 11, 13,
                                                                   runtime_value, 0));
    printf("mix2 %08lx\n", (unsigned long)(uint32_t)backdoor_call2(CMD_MIX, 1, 2, 0));
    printf("sum %lu\n", (unsigned long)backdoor_sum(1, 20, 300, runtime_value));
    printf("checksum %lu (expected %lu)\n",
           (unsigned long)backdoor_send(CMD_CHECKSUM, bytes, sizeof bytes, 0),
           (unsigned long)test_checksum(bytes, sizeof bytes));
    memset(filled, 0, sizeof filled);
    long got = (long)backdoor_recv(CMD_FILL, filled, sizeof filled, 0);
    printf("filled %ld: %u %u %u\n", got, filled[0], filled[1], filled[63]);
    printf("bad buffer %ld\n", (long)backdoor_send(CMD_CHECKSUM, (void *)16, 8, 0));
    got = (long)backdoor_host_info(info, sizeof info);
    printf("host info %s\n", got > 0 && strncmp(info, "backdoor protocol 1", 19) == 0
                                 ? "ok" : "missing");
    printf("host time %s\n", backdoor_host_time_ns() > 1700000000000000000ull ? "ok" : "0");
    backdoor_roi_begin(1);
    volatile unsigned sink = 0;
    for (unsigned i = 0; i < 1000; i++) {
        sink += i;
    }
    backdoor_roi_end(1);
    backdoor_mark(7, 42);
    printf("printed %ld\n", (long)backdoor_printf("guest says %d %s\n", 42, "hello"));
    backdoor_printf("formats %lld %llu %zu %ld %u %x %08X %o %c %5d|%-3s|%%\n", -1234567890123ll,
                    18446744073709551615ull, sizeof bytes, -7l, 4000000000u, 0xbeefu,
                    0xabcu, 8u, 'q', 42, "s");
    backdoor_stats_dump();
    return 0;
}
