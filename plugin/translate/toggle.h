/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * toggle-collect=FUNC, as Callgrind's --toggle-collect: the collection state
 * flips when a matching function is entered and again when it is left, at
 * the outermost level of its recursion. Functions are told by their symbol
 * at translation; patterns take Callgrind's wildcards ('*' any run of
 * characters, '?' one).
 *
 * Per vCPU and matching function, a flag says whether the function is
 * active. Every block of the function carries a conditional callback that
 * fires only while the flag is clear: the first block to run is the entry
 * (the flag is set, the stack pointer noted). Every return instruction
 * carries one that fires only while some function is active, and leaves
 * each whose entry's stack pointer it reaches: the function's own return
 * at its outermost activation, or that of a function it ended with a jump
 * to (a tail call), as Callgrind unwinds its stack. Nothing else is called.
 */
#ifndef BACKDOOR_PLUGIN_TRANSLATE_TOGGLE_H
#define BACKDOOR_PLUGIN_TRANSLATE_TOGGLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "translate/arch.h"
#include "qemu/qemu_api.h"

/* Functions that get a flag of their own; further matching names are not
 * followed (counted in toggle_unfollowed). */
#define TOGGLE_FUNCTIONS 256u

/*
 * The collection state flips on vcpu_index. counted: instructions the
 * vCPU's counters already hold that belong after the flip (the entry
 * block's, added when it started), all in function slot fn_slot
 * (profile=, else 0).
 */
typedef void (*toggle_flip_fn)(unsigned int vcpu_index, uint32_t fn_slot, uint32_t counted);

struct toggle_config {
    const struct arch *arch; /* with is_return and stack_pointer_reg */
    const char *const *patterns;
    unsigned n_patterns;
    toggle_flip_fn flip;
};

/* At install, when toggle-collect= is given and QEMU has conditional
 * callbacks; false when the architecture's returns are not known. */
bool toggle_init(const struct toggle_config *config);

/* A vCPU starts (in user mode, a thread, maybe on the index of one that
 * ended inside a function): no function is active on it. */
void toggle_vcpu_init(unsigned int vcpu_index);

/* Instruments a translated block of n instructions; slots: each one's
 * profile slot, or NULL. */
void toggle_block(struct qemu_plugin_tb *tb, size_t n, const uint32_t *slots);

/* Names that matched past TOGGLE_FUNCTIONS, for the summary. */
uint64_t toggle_unfollowed(void);

#endif
