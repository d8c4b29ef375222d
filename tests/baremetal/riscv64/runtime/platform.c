/* SPDX-License-Identifier: MIT */
/*
 * The riscv64 -M virt side of tests/baremetal/common/platform.h:
 * output on the NS16550A UART at 0x10000000, exit through the SiFive test
 * device at 0x100000, and the privilege level: M-mode, which the kernels
 * never leave.
 */
#include "platform.h"

#include "console.h"

#define UART_BASE 0x10000000ul
#define UART_THR 0
#define UART_LSR 5
#define UART_LSR_THRE (1u << 5)

/* SiFive test device ("sifive,test0"), QEMU's virt board exit. */
#define TEST_BASE 0x100000ul
#define TEST_FAIL 0x3333u /* (code << 16) | FAIL: QEMU exits with code */
#define TEST_PASS 0x5555u /* QEMU exits with 0 */

const char arch_name[] = "riscv64";
const unsigned arch_expected_privilege = 3;

static volatile uint8_t *uart(unsigned offset)
{
    return (volatile uint8_t *)(UART_BASE + offset);
}

void console_putc(char c)
{
    while (!(*uart(UART_LSR) & UART_LSR_THRE))
        ;
    *uart(UART_THR) = (uint8_t)c;
}

/*
 * QEMU acts on the write asynchronously (a shutdown request the main loop
 * serves), so the hart waits here until it does. A FAIL with code 0 would
 * exit with status 0, so codes are 1..0xffff.
 */
_Noreturn void qemu_exit(int status)
{
    static int exiting;
    if (!exiting) {
        exiting = 1;
        kprintf("exit %d\n", status);
        uint32_t code = (uint32_t)status & 0xffffu;
        if (status != 0 && code == 0)
            code = 1;
        *(volatile uint32_t *)TEST_BASE = status == 0 ? TEST_PASS : code << 16 | TEST_FAIL;
    }
    for (;;)
        __asm__ __volatile__("wfi");
}

/*
 * Reading mstatus succeeds only in M-mode: from S or U it traps as an
 * illegal instruction, which trap_report() reports.
 */
unsigned arch_privilege_level(void)
{
    uint64_t mstatus;
    __asm__ __volatile__("csrr %0, mstatus" : "=r"(mstatus));
    (void)mstatus;
    return 3;
}

const char *arch_privilege_name(void)
{
    return "M-mode";
}

_Noreturn void trap_report(uint64_t cause, uint64_t epc, uint64_t tval);

_Noreturn void trap_report(uint64_t cause, uint64_t epc, uint64_t tval)
{
    kprintf("unexpected trap: mcause %lx mepc %lx mtval %lx\n", (unsigned long)cause,
            (unsigned long)epc, (unsigned long)tval);
    qemu_exit(TRAP_EXIT_STATUS);
}
