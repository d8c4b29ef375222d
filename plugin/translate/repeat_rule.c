/* SPDX-License-Identifier: GPL-2.0-or-later */
/* translate/repeat_rule.h */
#include "translate/repeat_rule.h"

uint64_t repeat_extra(struct repeat_form form, uint64_t before, uint64_t after,
                      uint64_t mask, bool last_equal)
{
    uint64_t done = (before - after) & mask;
    if (done == 0) {
        /* Nothing repeated: a zero count (Valgrind's one execution), or an
         * entry that faulted before its first repetition. */
        return 0;
    }
    /* Valgrind executes the instruction once more when the count runs out
     * and no compare has stopped it: that execution finds the count zero. */
    bool count_ran_out = (after & mask) == 0;
    bool compare_stopped = form.conditional && last_equal != form.while_equal;
    return done - 1 + (count_ran_out && !compare_stopped);
}
