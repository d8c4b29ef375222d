/* SPDX-License-Identifier: MIT */
/*
 * A kernel that makes no backdoor call and exits at once: whatever the
 * plugin sees in such a boot comes from the firmware (SeaBIOS scans the
 * hypervisor CPUID leaves), and none of it may be dispatched as a call.
 */
#include "console.h"
#include "kernel.h"

int kernel_main(uint32_t magic, const void *multiboot_info)
{
    (void)multiboot_info;
    kprintf("idle: multiboot magic %x, no calls\n", magic);
    return magic == MULTIBOOT_BOOTLOADER_MAGIC ? 0 : 1;
}
