/* SPDX-License-Identifier: MIT */
/*
 * Every standard command once, in system mode, then an ending chosen on the
 * kernel command line (-append): "return" exits through isa-debug-exit,
 * "exit=N" through backdoor_exit(N), "spin" waits forever for something
 * outside (a signal, the monitor) to end QEMU. Region 2 stays open, so every
 * ending has an open region to close in the outputs.
 */
#include <backdoor/guest.h>

#include "console.h"
#include "kernel.h"

/* Multiboot v1 information: flags bit 2 says cmdline is valid. */
struct multiboot_info {
    uint32_t flags, mem_lower, mem_upper, boot_device, cmdline;
};

static int starts_with(const char *text, const char *prefix)
{
    while (*prefix != '\0') {
        if (*text++ != *prefix++) {
            return 0;
        }
    }
    return 1;
}

static unsigned parse_decimal(const char *text)
{
    unsigned value = 0;
    while (*text >= '0' && *text <= '9') {
        value = value * 10 + (unsigned)(*text++ - '0');
    }
    return value;
}

int kernel_main(uint32_t magic, const void *multiboot_info)
{
    const struct multiboot_info *info = multiboot_info;
    const char *cmdline = magic == MULTIBOOT_BOOTLOADER_MAGIC && (info->flags & 4)
                              ? (const char *)(uintptr_t)info->cmdline : "return";
    /* QEMU puts the kernel file name first: skip to the first argument. */
    while (*cmdline != '\0' && *cmdline != ' ') {
        cmdline++;
    }
    while (*cmdline == ' ') {
        cmdline++;
    }

    unsigned present = (unsigned)backdoor_present();
    unsigned features = (unsigned)backdoor_features();
    kprintf("present %u features %x\n", present, features);
    backdoor_roi_begin(1);
    volatile unsigned sink = 0;
    for (unsigned i = 0; i < 1000; i++) {
        sink += i;
    }
    backdoor_roi_end(1);
    backdoor_stats_reset();
    backdoor_roi_begin(2);
    backdoor_mark(7, 42);
    backdoor_print("text before the end\n");
    backdoor_printf("printf %d %s\n", 42, "ok");
    kprintf("sum %u\n", (unsigned)backdoor_sum(1, 2, 3, 4));
    char text[64] = "";
    kprintf("host_info %d\n", (int)backdoor_host_info(text, sizeof text));
    kprintf("host_time %s\n", backdoor_host_time_ns() != 0 ? "set" : "0");
    backdoor_stats_dump();
    kprintf("ready\n");

    if (starts_with(cmdline, "exit=")) {
        backdoor_exit((int)parse_decimal(cmdline + 5));
        kprintf("still running after backdoor_exit\n");
        return 3;
    }
    if (starts_with(cmdline, "spin")) {
        for (;;) {
            __asm__ __volatile__("pause");
        }
    }
    return 0;
}
