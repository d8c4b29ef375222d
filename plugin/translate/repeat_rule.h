/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * How many instructions an entry into a repeated string instruction counts
 * as, when every repetition counts (count-reps=on): Callgrind's rule, which
 * comes from how Valgrind runs such an instruction, one repetition per
 * execution of it, plus one last execution that finds the count at zero.
 */
#ifndef BACKDOOR_PLUGIN_TRANSLATE_REPEAT_RULE_H
#define BACKDOOR_PLUGIN_TRANSLATE_REPEAT_RULE_H

#include <stdbool.h>
#include <stdint.h>

#include "translate/arch.h"

/*
 * QEMU counts each entry into the instruction once (it may enter it several
 * times for one repetition, each time doing a part). Returns what to add to
 * that one count: before and after are the count register around the entry,
 * mask its width; last_equal whether the last compare found its operands
 * equal (the zero flag it set; conditional forms only).
 */
uint64_t repeat_extra(struct repeat_form form, uint64_t before, uint64_t after,
                      uint64_t mask, bool last_equal);

#endif
