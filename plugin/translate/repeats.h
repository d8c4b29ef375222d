/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * count-reps=on: every repetition of a repeated string instruction counts
 * as an instruction, as Callgrind counts them (translate/repeat_rule.h), where
 * QEMU counts the instruction once per entry. The instruction gets a
 * callback that reads its count register on entry; the next block to start
 * on that vCPU reads it again, through a conditional callback that only
 * fires while an entry is pending, and adds the difference to the
 * instruction counters. Nothing else is called per block or instruction.
 */
#ifndef BACKDOOR_PLUGIN_TRANSLATE_REPEATS_H
#define BACKDOOR_PLUGIN_TRANSLATE_REPEATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "translate/arch.h"
#include "qemu/qemu_api.h"

struct repeats_config {
    const struct arch *arch; /* with repeated_string */
    bool wide_count;         /* 64-bit target: RCX, else ECX */
    bool kernel_apart;       /* as translate_config.count_kernel_apart */
    bool profile;            /* add to the function's profile= counter too */
};

/* At install, when count-reps=on. */
void repeats_init(const struct repeats_config *config);

/* Instruments a block that counts its instructions: its start, then each
 * of its instructions (bytes, len), with the one after it in the block
 * (NULL for the last) and its function slot (profile=, else 0). */
void repeats_block(struct qemu_plugin_tb *tb);
void repeats_insn(struct qemu_plugin_insn *insn, struct qemu_plugin_insn *next,
                  const uint8_t *bytes, size_t len, uint32_t slot);

#endif
