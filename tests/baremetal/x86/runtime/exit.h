/* SPDX-License-Identifier: MIT */
/*
 * Ending the emulation through QEMU's isa-debug-exit device at port 0xf4:
 * QEMU exits with status (value << 1) | 1, so value 0 (status 1) is the
 * kernels' success and any other value names what went wrong.
 */
#ifndef BAREMETAL_X86_EXIT_H
#define BAREMETAL_X86_EXIT_H

#include <stdint.h>

_Noreturn void qemu_exit(uint32_t value);

#endif
