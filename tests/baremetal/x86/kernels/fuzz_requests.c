/* SPDX-License-Identifier: MIT */
/*
 * The in-guest fuzzer (tests/guest/fuzz_requests.h) as a bare-metal kernel,
 * for system mode: 32-bit protected mode with paging, where the first 16 MiB
 * are identity-mapped and everything above is unmapped. The scratch area is
 * the last 64 KiB below 16 MiB, so the page after it is unmapped; holes are
 * anywhere above 16 MiB. Requests without abi32 decode too (qemu-system-
 * x86_64 has the 64-bit registers), with arg3 from R8, which 32-bit code
 * cannot set. Kernel command line (-append): COUNT SEED MAX_BUFFER.
 * Returns 0 (isa-debug-exit) when every result was the predicted one.
 */
#include "console.h"
#include "kernel.h"
#include "paging.h"

#define FUZZ_PRINTF kprintf
#include "fuzz_requests.h"

#define SCRATCH_SIZE 0x10000u

static uint8_t stubs[FUZZ_STUBS_SIZE] __attribute__((aligned(FUZZ_PAGE)));

static backdoor_word_t fuzz_hole(void)
{
    return PAGING_IDENTITY_LIMIT + fuzz_below(0u - PAGING_IDENTITY_LIMIT);
}

static bool fuzz_arg3_known(bool abi32, bool constant)
{
    return abi32 && !constant;
}

/* Multiboot v1 information: flags bit 2 says cmdline is valid. */
struct multiboot_info {
    uint32_t flags, mem_lower, mem_upper, boot_device, cmdline;
};

/* The next decimal number on the command line, or dflt. */
static uint64_t next_number(const char **text, uint64_t dflt)
{
    while (**text == ' ') {
        (*text)++;
    }
    if (**text < '0' || **text > '9') {
        return dflt;
    }
    uint64_t value = 0;
    while (**text >= '0' && **text <= '9') {
        value = value * 10 + (uint64_t)(*(*text)++ - '0');
    }
    return value;
}

int kernel_main(uint32_t magic, const void *multiboot_info)
{
    const struct multiboot_info *info = multiboot_info;
    const char *cmdline = magic == MULTIBOOT_BOOTLOADER_MAGIC && (info->flags & 4)
                              ? (const char *)(uintptr_t)info->cmdline : "";
    /* QEMU puts the kernel file name first. */
    while (*cmdline != '\0' && *cmdline != ' ') {
        cmdline++;
    }
    unsigned long count = (unsigned long)next_number(&cmdline, 100000);
    fuzz_rng = next_number(&cmdline, 1);
    fuzz_rng += fuzz_rng == 0;
    fuzz_max_buffer = (backdoor_word_t)next_number(&cmdline, 1u << 20);
    fuzz_abi64 = true;

    paging_enable();
    fuzz_scratch = PAGING_IDENTITY_LIMIT - SCRATCH_SIZE;
    fuzz_scratch_size = SCRATCH_SIZE;
    fuzz_stubs = stubs;
    return fuzz_run(count) == 0 ? 0 : 1;
}
