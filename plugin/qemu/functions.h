/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Per-function instruction counters for profile=: each function the guest
 * executes gets a slot, and every translated block adds its instructions to
 * the slots of their functions with inline scoreboard adds, so counting
 * costs no callback. Functions are named by QEMU's symbol lookup (the guest
 * ELF's symbol table in user mode); code without a symbol shares one slot.
 */
#ifndef BACKDOOR_PLUGIN_QEMU_FUNCTIONS_H
#define BACKDOOR_PLUGIN_QEMU_FUNCTIONS_H

#include <stdint.h>

#include "qemu/qemu_api.h"

/* Slots: 0 is code without a symbol, 1 the functions past the table. */
#define FUNCTION_SLOT_UNKNOWN 0u
#define FUNCTION_SLOT_OVERFLOW 1u
#define FUNCTION_SLOTS 16384u

/* At install, before any vCPU exists, when profile= is on. */
void functions_init(void);

/* The slot of the function holding insn (at translation). */
uint32_t function_slot(const struct qemu_plugin_insn *insn);

/* The counter of a slot, for an inline add. */
qemu_plugin_u64 function_counter(uint32_t slot);

/* A vCPU's counters (FUNCTION_SLOTS of them). Valid until the current
 * callback returns. */
const uint64_t *function_counts(unsigned int vcpu_index);

/* Adds n to a slot of the calling vCPU (from its own callback). */
void function_add(unsigned int vcpu_index, uint32_t slot, uint64_t n);

/* Slots handed out so far, and a slot's function name. */
uint32_t function_slots_used(void);
const char *function_name(uint32_t slot);

#endif
