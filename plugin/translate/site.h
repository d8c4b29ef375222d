/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A site is one magic instruction as translated: where it is, what of its
 * request was already known from the instruction stream, and where it sits in
 * its translation block. Its address is the execution callback's user data.
 */
#ifndef BACKDOOR_PLUGIN_TRANSLATE_SITE_H
#define BACKDOOR_PLUGIN_TRANSLATE_SITE_H

#include <stdbool.h>
#include <stdint.h>

#include "translate/decode.h"

/* The pc of a site that was not cached (translate/translate.c): read from
 * the registers when it executes. */
#define SITE_PC_UNKNOWN UINT64_MAX

struct site {
    uint64_t pc;
    uint32_t tb_insns; /* instructions in the translation block */
    uint32_t tb_index; /* this instruction's position in it */
    bool leaf_known;   /* rq decoded from the leaf at translation */
    bool selector_known;
    uint8_t args_known; /* bit i: rq.args[i] known at translation */
    /* A call translation knew whole, of a built-in whose answer is the
     * same all run long (present, features): result is that answer. */
    bool constant;
    uint64_t result;
    struct request rq;
};

/*
 * Known register values before the magic instruction, as the constant loads
 * right before it in the same block set them: regno -> value.
 */
struct constant_regs {
    uint64_t known; /* bit per register number */
    uint64_t value[64];
};

/*
 * Fills the site's request from known constants. Returns DECODE_OK when the
 * site needs an execution callback, DECODE_NOT_OURS / PROBE / MALFORMED when
 * the constant leaf (and selector) already say it is not a request.
 */
enum decode_status site_predecode(struct site *site,
                                  const struct constant_regs *consts,
                                  const int *regno, const int *regno_abi32);

/* Whether nothing is left to read from registers when the site executes. */
static inline bool site_fully_known(const struct site *site)
{
    unsigned all_args = (1u << site->rq.nargs) - 1;
    return site->leaf_known &&
           (site->selector_known || !site->rq.needs_selector) &&
           (site->rq.type == BACKDOOR_CALL_I8 ||
            site->rq.type == BACKDOOR_CALL_I8_V32 ||
            (site->args_known & all_args) == all_args);
}

#endif
