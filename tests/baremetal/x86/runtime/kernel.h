/* SPDX-License-Identifier: MIT */
/*
 * The contract between boot.S and a test kernel: boot.S calls
 * kernel_main() with the multiboot registers, and exits QEMU with its
 * return value (0 = success) through isa-debug-exit.
 */
#ifndef BAREMETAL_X86_KERNEL_H
#define BAREMETAL_X86_KERNEL_H

#include <stdint.h>

#define MULTIBOOT_BOOTLOADER_MAGIC 0x2badb002u

int kernel_main(uint32_t magic, const void *multiboot_info);

#endif
