/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * count-reps=on: every repetition of a repeated string instruction counts
 * as an instruction, as Callgrind counts them (decode/repeat_rule.h), where
 * QEMU counts the instruction once per entry. The instruction gets a
 * callback that reads its count register on entry; the next block to start
 * on that vCPU reads it again, through a conditional callback that only
 * fires while an entry is pending, and adds the difference to the
 * instruction counters. Nothing else is called per block or instruction.
 */
#ifndef BACKDOOR_PLUGIN_DECODE_REPEATS_H
#define BACKDOOR_PLUGIN_DECODE_REPEATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode/arch.h"
#include "guest/qemu_api.h"

struct repeats_config {
    const struct arch *arch; /* with repeated_string */
    bool wide_count;         /* 64-bit target: RCX, else ECX */
    bool kernel_apart;       /* as translate_config.count_kernel_apart */
    bool profile;            /* add to the function's profile= counter too */
};

/* At install, when count-reps=on. */
void repeats_init(const struct repeats_config *config);

/* Instruments a block that counts its instructions; slots are its
 * instructions' function slots (profile=) or NULL. */
void repeats_translate(struct qemu_plugin_tb *tb, size_t n, const uint32_t *slots);

#endif
