/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Translation for the call graph (profile=): a block that ends in a call,
 * a return or a jump that may leave its function leaves that fact in the
 * vCPU's scoreboard with inline stores (no callback), and every block
 * starts with a conditional callback that runs only when something is
 * pending. So calls and returns cost one callback each, in the block they
 * reach, where the callee (or the code returned to) is known by its
 * function slot and the stack pointer can be read.
 */
#ifndef BACKDOOR_PLUGIN_DECODE_CALL_SITES_H
#define BACKDOOR_PLUGIN_DECODE_CALL_SITES_H

#include <stddef.h>
#include <stdint.h>

#include "translate/arch.h"
#include "qemu/qemu_api.h"

/* The block that something pending reached: its address and function. */
struct call_target {
    uint64_t pc;
    uint32_t slot;
};

/* What is pending, as the callback finds it in branch_pending: the kind,
 * whether a jump was indirect (its target unknown at translation), the
 * source's function slot. */
#define CALL_SITE_INDIRECT 0x80u
#define CALL_SITE_KIND(pending) ((enum branch_kind)((pending) & 0x7f))
#define CALL_SITE_IS_INDIRECT(pending) (((pending) & CALL_SITE_INDIRECT) != 0)
#define CALL_SITE_SOURCE_SLOT(pending) ((uint32_t)((pending) >> 8))

/* At install: on_entry is the callback (userdata a struct call_target),
 * registered to read registers. */
void call_sites_init(const struct arch *arch, qemu_plugin_vcpu_udata_cb_t on_entry);

/* Must be registered before the block's instruction count is added, so
 * that a callee's entry sees the count up to the call only. */
void call_sites_block_start(struct qemu_plugin_tb *tb, uint32_t first_slot);

/* For each instruction with its function slot; only the last of a block
 * can transfer control. */
void call_sites_insn(struct qemu_plugin_insn *insn, const uint8_t *bytes, size_t len,
                     uint32_t slot);

#endif
