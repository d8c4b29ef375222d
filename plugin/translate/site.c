/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Translation-time decoding (docs/abi.md, "Requests decoded at translation
 * time"). QEMU enters a translation block only at its first instruction, so
 * when constant loads precede the magic instruction inside the block, the
 * registers hold exactly those constants whenever it executes. A block that
 * starts at the magic instruction has nothing before it to trust, and the
 * scan that fills constant_regs stops at the first other instruction.
 */
#include "translate/site.h"

#include "translate/arch.h"

static bool known(const struct constant_regs *consts, int regno)
{
    return regno >= 0 && regno < 64 && (consts->known >> regno & 1);
}

enum decode_status site_predecode(struct site *site,
                                  const struct constant_regs *consts,
                                  const int *regno, const int *regno_abi32)
{
    if (!known(consts, regno[ROLE_LEAF])) {
        return DECODE_OK;
    }
    uint32_t leaf = (uint32_t)consts->value[regno[ROLE_LEAF]];
    enum decode_status status = decode_leaf(leaf, &site->rq);
    if (status != DECODE_OK) {
        return status;
    }
    site->leaf_known = true;
    const int *map = site->rq.abi32 ? regno_abi32 : regno;
    if (site->rq.needs_selector && known(consts, map[ROLE_SELECTOR])) {
        status = decode_selector((uint32_t)consts->value[map[ROLE_SELECTOR]],
                                 &site->rq);
        if (status != DECODE_OK) {
            return status;
        }
        site->selector_known = true;
    }
    if (site->rq.type != BACKDOOR_CALL_I8 &&
        site->rq.type != BACKDOOR_CALL_I8_V32) {
        for (unsigned i = 0; i < site->rq.nargs; i++) {
            if (known(consts, map[ROLE_ARG0 + i])) {
                site->rq.args[i] = consts->value[map[ROLE_ARG0 + i]];
                site->args_known |= (uint8_t)(1u << i);
            }
        }
    }
    return DECODE_OK;
}
