/* SPDX-License-Identifier: MIT */
/*
 * A bare-metal checkpoint (tests/test_checkpoint.py), as tests/guest/
 * checkpoint.c under Linux: warm up, open region 5, checkpoint "bare",
 * open region 6; the saving run closes both and returns 5; a restored run
 * reads a decimal number from the host (readfile=), works that much, closes
 * both and returns it (isa-debug-exit status 2N+1). Region 5 less region 6
 * is then what came before the checkpoint, in either run.
 */
#include <backdoor/guest.h>

#include "console.h"
#include "kernel.h"

static volatile uint32_t sink;

static void work(uint32_t rounds)
{
    for (uint32_t i = 0; i < rounds; i++)
        sink += i ^ (sink >> 3);
}

int kernel_main(uint32_t magic, const void *multiboot_info)
{
    (void)magic;
    (void)multiboot_info;
    work(1000000);
    backdoor_roi_begin(5);
    work(100000);
    backdoor_word_t r = backdoor_checkpoint("bare");
    backdoor_roi_begin(6);
    kprintf("checkpoint bare: %d\n", (int)r);
    int status = r == 0 ? 5 : 2;
    if (r == 1) {
        char input[16];
        backdoor_word_t n = backdoor_readfile(input, sizeof input - 1, 0);
        status = 0;
        for (backdoor_word_t i = 0; !BACKDOOR_IS_ERROR(n) && i < n; i++) {
            if (input[i] >= '0' && input[i] <= '9')
                status = status * 10 + (input[i] - '0');
        }
        work((uint32_t)status * 10000);
        kprintf("input %d\n", status);
    }
    backdoor_roi_end(6);
    backdoor_roi_end(5);
    return status;
}
