/* SPDX-License-Identifier: MIT */
/*
 * A receive aimed at the BIOS ROM (issue 12): the kernel's own store to ROM
 * changes nothing, and a receive buffer there must change nothing either
 * (the host writes as the caller's stores would). Prints what it saw;
 * tests/test_system_x86.py judges.
 */
#include <backdoor/guest.h>

#include "console.h"
#include "kernel.h"

/* SeaBIOS's image ends at 4 GiB; its last 64 KiB are mapped there. */
#define BIOS_ROM 0xffff0000u
#define LEN 16u

static unsigned differences(const volatile uint8_t *rom, const uint8_t *saved)
{
    unsigned n = 0;
    for (unsigned i = 0; i < LEN; i++) {
        n += rom[i] != saved[i];
    }
    return n;
}

int kernel_main(uint32_t magic, const void *multiboot_info)
{
    (void)magic, (void)multiboot_info;
    volatile uint8_t *rom = (volatile uint8_t *)BIOS_ROM;
    uint8_t saved[LEN];
    for (unsigned i = 0; i < LEN; i++) {
        saved[i] = rom[i];
    }
    rom[0] = (uint8_t)~saved[0];
    kprintf("rom: own store changed %u bytes\n", differences(rom, saved));
    long got = (long)backdoor_recv(BACKDOOR_OP_HOST_INFO, (void *)rom, LEN, 0);
    kprintf("rom: receive returned %ld, changed %u bytes\n", got, differences(rom, saved));
    return 0;
}
