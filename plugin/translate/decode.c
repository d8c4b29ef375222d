/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Request decoding (docs/abi.md, "Encoding"). Everything that is not exactly
 * a valid request is classified, never trusted: the firmware and kernels that
 * scan the hypervisor CPUID range must not be taken for callers.
 */
#include "translate/decode.h"

enum decode_status decode_leaf(uint32_t leaf, struct request *rq)
{
    if (leaf < BACKDOOR_LEAF_BASE || leaf > BACKDOOR_LEAF_LAST) {
        return DECODE_NOT_OURS;
    }
    uint32_t type = (leaf >> 8) & 0xf;
    uint32_t i8 = leaf & 0xff;
    /* SeaBIOS and Linux probe every 0x100 for signatures: i8 = 0. */
    if (i8 == 0) {
        return DECODE_PROBE;
    }
    rq->type = (enum backdoor_call_type)type;
    switch (type) {
    case BACKDOOR_TYPE_I8:
        rq->command = i8;
        rq->nargs = 0;
        rq->abi32 = false;
        rq->needs_selector = false;
        return DECODE_OK;
    case BACKDOOR_TYPE_I8_V32:
        rq->command = i8;
        rq->nargs = 1;
        rq->abi32 = false;
        rq->needs_selector = true;
        return DECODE_OK;
    case BACKDOOR_TYPE_CALL:
    case BACKDOOR_TYPE_SEND:
    case BACKDOOR_TYPE_RECV: {
        unsigned nargs = i8 & 0x7;
        if ((i8 & 0xf0) != BACKDOOR_EXT_MAGIC || nargs > BACKDOOR_EXT_MAX_ARGS) {
            return DECODE_MALFORMED;
        }
        /* A buffer is two arguments: its address and its length. */
        if (type != BACKDOOR_TYPE_CALL && nargs < 2) {
            return DECODE_MALFORMED;
        }
        rq->nargs = nargs;
        rq->abi32 = (i8 & BACKDOOR_EXT_ABI32) != 0;
        rq->needs_selector = true;
        return DECODE_OK;
    }
    default:
        return DECODE_MALFORMED;
    }
}

enum decode_status decode_selector(uint32_t selector, struct request *rq)
{
    if (rq->type == BACKDOOR_CALL_I8_V32) {
        rq->args[0] = selector;
        return DECODE_OK;
    }
    if ((selector >> 16) != BACKDOOR_TAG || (selector & 0xffff) == 0) {
        return DECODE_MALFORMED;
    }
    rq->command = selector & 0xffff;
    return DECODE_OK;
}
