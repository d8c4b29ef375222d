/* SPDX-License-Identifier: MIT */
/*
 * The aarch64 -M virt side of tests/baremetal/common/platform.h:
 * output on the PL011 UART at 0x09000000, exit through Arm semihosting,
 * the exception level from CurrentEL.
 */
#include "platform.h"

#include "console.h"

#define PL011_BASE 0x09000000ul
#define PL011_DR 0x00
#define PL011_FR 0x18
#define PL011_FR_TXFF (1u << 5)

/* Semihosting (QEMU's -semihosting-config enable=on,target=native). */
#define SYS_EXIT 0x18
#define ADP_STOPPED_APPLICATION_EXIT 0x20026

const char arch_name[] = "aarch64";
const unsigned arch_expected_privilege = 1;

static volatile uint32_t *pl011(unsigned offset)
{
    return (volatile uint32_t *)(PL011_BASE + offset);
}

void console_putc(char c)
{
    while (*pl011(PL011_FR) & PL011_FR_TXFF)
        ;
    *pl011(PL011_DR) = (uint8_t)c;
}

/*
 * SYS_EXIT in its AArch64 form: x1 points to {reason, subcode}, and for
 * ADP_Stopped_ApplicationExit QEMU exits at once with the subcode as its
 * status. Without semihosting HLT is undefined; the exception handler then
 * comes back here, and the second time round the CPU just waits.
 */
_Noreturn void qemu_exit(int status)
{
    static int exiting;
    if (!exiting) {
        exiting = 1;
        kprintf("exit %d\n", status);
        static uint64_t block[2];
        block[0] = ADP_STOPPED_APPLICATION_EXIT;
        block[1] = (uint64_t)(unsigned)status;
        register uint64_t op __asm__("x0") = SYS_EXIT;
        register uint64_t args __asm__("x1") = (uint64_t)block;
        __asm__ __volatile__("hlt #0xf000" : "+r"(op) : "r"(args) : "memory");
    }
    for (;;)
        __asm__ __volatile__("wfi");
}

unsigned arch_privilege_level(void)
{
    uint64_t current_el;
    __asm__ __volatile__("mrs %0, CurrentEL" : "=r"(current_el));
    return (unsigned)(current_el >> 2) & 3;
}

const char *arch_privilege_name(void)
{
    static const char *const names[] = {"EL0", "EL1", "EL2", "EL3"};
    return names[arch_privilege_level()];
}

_Noreturn void exception_report(uint64_t vector, uint64_t esr, uint64_t elr, uint64_t far);

_Noreturn void exception_report(uint64_t vector, uint64_t esr, uint64_t elr, uint64_t far)
{
    kprintf("unexpected exception: vector %lu esr %lx elr %lx far %lx\n",
            (unsigned long)vector, (unsigned long)esr, (unsigned long)elr,
            (unsigned long)far);
    qemu_exit(TRAP_EXIT_STATUS);
}
