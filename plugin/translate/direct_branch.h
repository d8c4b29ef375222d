/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Direct calls and jumps whose target the instruction itself holds, for
 * profile=: a call to a PLT stub charges the stub to the caller, as
 * Callgrind does (qemu/functions.h).
 */
#ifndef BACKDOOR_PLUGIN_TRANSLATE_DIRECT_BRANCH_H
#define BACKDOOR_PLUGIN_TRANSLATE_DIRECT_BRANCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "translate/arch.h"

/* If the instruction at pc is a direct call or unconditional jump, its
 * target. x86 and AArch64; false elsewhere. */
bool direct_branch_target(const struct arch *arch, const uint8_t *insn, size_t len, uint64_t pc,
                          uint64_t *target);

#endif
