/* SPDX-License-Identifier: MIT */
/*
 * Commands of the test handler (tests/handlers/record.c), shared by the
 * guest programs that call them and the handler that answers.
 */
#ifndef TESTS_TEST_COMMANDS_H
#define TESTS_TEST_COMMANDS_H

#include <stdint.h>

enum test_command {
    CMD_MIX = 0x900,       /* result = test_mix(arg0..arg3) */
    CMD_FILL = 0x901,      /* receive: byte i = i * 7 + arg2 */
    CMD_CHECKSUM = 0x902,  /* send: result = test_checksum(bytes) */
    CMD_READ_REG = 0x910,  /* result = register named by string arg0 (len arg1) */
    CMD_WRITE_MEM = 0x911, /* write arg1 (<= 8) bytes of arg2 at arg0 via the service */
    CMD_EVENT = 0x912,     /* emit_event("guest-event", arg0) */
    CMD_EXIT = 0x913,      /* request_exit(arg0) */
    CMD_PRIVILEGE = 0x914, /* result = privilege level */
    CMD_READ_MEM = 0x915,  /* result = 8 bytes read at arg0, or -14 */
    CMD_WRITE_REG = 0x916, /* write arg1 into the register named by the 8 bytes at arg0 */
    CMD_VCPU = 0x917,      /* result = vCPU index */
};

/* Uses every bit of every argument, so a lost or truncated one shows. */
static inline uint64_t test_mix(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
    return a0 * 3 + (a1 ^ 0x5555555555555555ull) - a2 + (a3 << 1);
}

static inline uint64_t test_checksum(const uint8_t *bytes, uint64_t len)
{
    uint64_t sum = 0;
    for (uint64_t i = 0; i < len; i++) {
        sum += bytes[i];
    }
    return sum * 31 + len;
}

#endif
