/* SPDX-License-Identifier: MIT */
/*
 * What each architecture's runtime (tests/baremetal/{aarch64,riscv64}/
 * runtime) provides to the portable kernels in this directory, and what it
 * expects from them: boot.S sets up a stack, clears .bss, installs a trap
 * handler that reports the trap and exits with TRAP_EXIT_STATUS, calls
 * kernel_main() and ends QEMU with its return value (0 = success).
 */
#ifndef BAREMETAL_PORTABLE_PLATFORM_H
#define BAREMETAL_PORTABLE_PLATFORM_H

#include <stdint.h>

/* Exit status of a kernel that took an unexpected exception or trap. */
#define TRAP_EXIT_STATUS 100

int kernel_main(void);

/*
 * Ends the emulation; QEMU's exit status is status (1..255 for failures).
 * Never returns: if the exit device does not act, the CPU waits for the
 * harness's timeout, so a missing device is a failure, never a success.
 */
_Noreturn void qemu_exit(int status);

/* "aarch64" or "riscv64". */
extern const char arch_name[];

/*
 * The privilege level the kernel runs at, in the plugin's numbering (Arm:
 * the exception level; RISC-V: 0 user, 1 supervisor, 3 machine), as the CPU
 * itself reports it, and its name ("EL1", "M-mode").
 */
unsigned arch_privilege_level(void);
const char *arch_privilege_name(void);

/* The level the kernels expect: aarch64 EL1, riscv64 M-mode. */
extern const unsigned arch_expected_privilege;

#endif
