/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Per-function instruction counters for profile=: each function the guest
 * executes gets a slot, and every translated block adds its instructions to
 * the slots of their functions with inline scoreboard adds, so counting
 * costs no callback. A slot is a place (qemu/symbols.h): the object,
 * function, source file and line, so lines cost an inline add only where
 * a block spans several.
 */
#ifndef BACKDOOR_PLUGIN_QEMU_FUNCTIONS_H
#define BACKDOOR_PLUGIN_QEMU_FUNCTIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "qemu/qemu_api.h"
#include "qemu/symbols.h"

/* Slots: 0 is code without a symbol, 1 the functions past the table. */
#define FUNCTION_SLOT_UNKNOWN 0u
#define FUNCTION_SLOT_OVERFLOW 1u
#define FUNCTION_SLOTS 65536u

/* At install, before any vCPU exists, when profile= is on. */
void functions_init(void);

/* The slot of the place of insn, in the block starting at block_start
 * (at translation). */
uint32_t function_slot(const struct qemu_plugin_insn *insn, uint64_t block_start);

/* If addr is a PLT stub: its slot and how many instructions it runs to
 * reach its target, which Callgrind charges to the caller. */
bool function_plt_stub(uint64_t addr, uint32_t *slot, uint32_t *insns);

/* The counter of a slot, for an inline add. */
qemu_plugin_u64 function_counter(uint32_t slot);

/*
 * PLT stubs reached another way than their direct call: lazy binding's
 * path (push, jump to the PLT's head, jump to the resolver) runs after the
 * stub, once per symbol. A block that branches to a stub stores its slot
 * in the vCPU's word (an inline store, plugin API 3); such a PLT block's
 * callback charges its instructions to that slot, as Callgrind charges
 * them to the caller.
 */
qemu_plugin_u64 function_plt_caller(void);
void function_charge_plt_caller(unsigned int vcpu_index, uint32_t own_slot, uint64_t insns);

/* A vCPU's counters (FUNCTION_SLOTS of them). Valid until the current
 * callback returns. */
const uint64_t *function_counts(unsigned int vcpu_index);

/* Adds n to a slot of the calling vCPU (from its own callback). */
void function_add(unsigned int vcpu_index, uint32_t slot, uint64_t n);

/* Slots handed out so far, a slot's function name, and its whole place. */
uint32_t function_slots_used(void);
const char *function_name(uint32_t slot);
const struct code_place *function_place(uint32_t slot);

/* The slot that stands for a slot's function (the first of its places):
 * what the call graph keys, since slots are lines. */
uint32_t function_of(uint32_t slot);

/* The function's next place after slot (in the order they were seen), 0
 * after its last: from its head, every line of a function. */
uint32_t function_next_line(uint32_t slot);

#endif
