/* SPDX-License-Identifier: MIT */
/*
 * The handler services, driven from the guest through the test handler's
 * commands: guest memory read and write, registers by name, privilege level,
 * events, vCPU index, and an exit request (last, with the status argv[1]).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <backdoor/guest.h>

#include "test_commands.h"

static int failures;

static void expect(const char *name, unsigned long long got, unsigned long long want)
{
    printf("%s: %s", name, got == want ? "ok\n" : "FAIL");
    if (got != want) {
        printf(" got %#llx want %#llx\n", got, want);
        failures++;
    }
}

int main(int argc, char **argv)
{
    volatile uint64_t target = 0x1122334455667788ull;

    uint64_t word = 0;
    expect("write-memory", backdoor_call3(CMD_WRITE_MEM, (uintptr_t)&word, 8,
                                          0xa5a5a5a5, 1), 0);
    expect("write-memory-bytes", word, 0xa5a5a5a5);
    expect("write-memory-wild", backdoor_call3(CMD_WRITE_MEM, 8, 8, 1, 1),
           (backdoor_word_t)BACKDOOR_EFAULT);
    expect("read-memory", backdoor_call1(CMD_READ_MEM, (uintptr_t)&target, 0),
           (backdoor_word_t)target);
    expect("read-memory-wild", backdoor_call1(CMD_READ_MEM, 16, 0),
           (backdoor_word_t)BACKDOOR_EFAULT);
    uintptr_t sp;
#if defined(__x86_64__)
    static const char reg_name[] = "rsp\0\0\0\0";
    __asm__ __volatile__("mov %%rsp, %0" : "=r"(sp));
#elif defined(__i386__)
    static const char reg_name[] = "esp\0\0\0\0";
    __asm__ __volatile__("mov %%esp, %0" : "=r"(sp));
#elif defined(__aarch64__)
    static const char reg_name[] = "sp\0\0\0\0\0";
    __asm__ __volatile__("mov %0, sp" : "=r"(sp));
#else
    static const char reg_name[] = "sp\0\0\0\0\0";
    __asm__ __volatile__("mv %0, sp" : "=r"(sp));
#endif
    backdoor_word_t reg = backdoor_call2(CMD_READ_REG, (uintptr_t)reg_name, 3, 0);
    /* The call happens a few instructions later, in the same frame. */
    expect("read-register-sp", reg == sp, 1);
#if defined(__x86_64__) || defined(__i386__)
    expect("privilege-user-mode", backdoor_call0(CMD_PRIVILEGE, 99), 3); /* CPL 3 */
#else
    expect("privilege-user-mode", backdoor_call0(CMD_PRIVILEGE, 99), 0); /* EL0, U */
#endif
    expect("vcpu-index", backdoor_call0(CMD_VCPU, 99), 0);
    backdoor_call1(CMD_EVENT, 4242, 0);
    printf("%d failures\n", failures);
    fflush(stdout);
    if (argc > 1) {
        backdoor_call1(CMD_EXIT, (backdoor_word_t)atoi(argv[1]), 0);
        printf("still running after the exit request\n");
        return 100;
    }
    return failures != 0;
}
