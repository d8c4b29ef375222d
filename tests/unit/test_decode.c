/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Decoding of request words, against the encodings guest.h produces: every
 * leaf of the backdoor range and the hypervisor-probe shapes.
 */
#include "translate/decode.h"
#include "unit.h"

static void seed_types(void)
{
    struct request rq;
    CHECK_EQ(decode_leaf(BACKDOOR_LEAF(0, 5), &rq), DECODE_OK);
    CHECK_EQ(rq.type, BACKDOOR_CALL_I8);
    CHECK_EQ(rq.command, 5);
    CHECK(!rq.needs_selector);
    CHECK_EQ(decode_leaf(0x400011ff, &rq), DECODE_OK);
    CHECK_EQ(rq.type, BACKDOOR_CALL_I8_V32);
    CHECK_EQ(rq.command, 0xff);
    CHECK(rq.needs_selector);
    CHECK_EQ(decode_selector(0xdeadbeef, &rq), DECODE_OK);
    CHECK_EQ(rq.args[0], 0xdeadbeef);
    CHECK_EQ(rq.nargs, 1);
}

static void probes_and_range(void)
{
    struct request rq;
    /* Every 0x100 step, as SeaBIOS and Linux scan for signatures. */
    for (uint32_t leaf = 0x40000000; leaf <= 0x4000ff00; leaf += 0x100) {
        enum decode_status want = leaf >= 0x40001000 && leaf <= 0x40001f00
                                      ? DECODE_PROBE : DECODE_NOT_OURS;
        CHECK_EQ(decode_leaf(leaf, &rq), want);
    }
    CHECK_EQ(decode_leaf(0x40000fff, &rq), DECODE_NOT_OURS);
    CHECK_EQ(decode_leaf(0x40002000, &rq), DECODE_NOT_OURS);
    CHECK_EQ(decode_leaf(0, &rq), DECODE_NOT_OURS);
}

static void extended(void)
{
    struct request rq;
    uint32_t leaf = BACKDOOR_LEAF(BACKDOOR_TYPE_CALL, BACKDOOR_EXT_MAGIC | 4);
    CHECK_EQ(decode_leaf(leaf, &rq), DECODE_OK);
    CHECK_EQ(rq.type, BACKDOOR_CALL_CALL);
    CHECK_EQ(rq.nargs, 4);
    CHECK(!rq.abi32);
    CHECK_EQ(decode_selector(BACKDOOR_SELECTOR(0x1234), &rq), DECODE_OK);
    CHECK_EQ(rq.command, 0x1234);
    /* Wrong tag, command 0. */
    CHECK_EQ(decode_selector(0x12340001, &rq), DECODE_MALFORMED);
    CHECK_EQ(decode_selector(BACKDOOR_SELECTOR(0), &rq), DECODE_MALFORMED);

    leaf = BACKDOOR_LEAF(BACKDOOR_TYPE_SEND, BACKDOOR_EXT_MAGIC | BACKDOOR_EXT_ABI32 | 2);
    CHECK_EQ(decode_leaf(leaf, &rq), DECODE_OK);
    CHECK_EQ(rq.type, BACKDOOR_CALL_SEND);
    CHECK(rq.abi32);
    /* A buffer needs two arguments; more than four do not exist. */
    CHECK_EQ(decode_leaf(BACKDOOR_LEAF(BACKDOOR_TYPE_RECV, BACKDOOR_EXT_MAGIC | 1), &rq),
             DECODE_MALFORMED);
    CHECK_EQ(decode_leaf(BACKDOOR_LEAF(BACKDOOR_TYPE_CALL, BACKDOOR_EXT_MAGIC | 5), &rq),
             DECODE_MALFORMED);
    /* Without the magic nibble, and unknown types. */
    CHECK_EQ(decode_leaf(BACKDOOR_LEAF(BACKDOOR_TYPE_CALL, 0x01), &rq), DECODE_MALFORMED);
    for (uint32_t type = 5; type < 16; type++) {
        CHECK_EQ(decode_leaf(BACKDOOR_LEAF(type, 0xb1), &rq), DECODE_MALFORMED);
    }
}

/* A uniformly random CPUID matches an extended request only by hitting one
 * of the valid leaves and the 16-bit tag: count the valid leaves. */
static void accidental_match_space(void)
{
    struct request rq;
    unsigned valid_extended = 0;
    for (uint32_t leaf = BACKDOOR_LEAF_BASE; leaf <= BACKDOOR_LEAF_LAST; leaf++) {
        if (decode_leaf(leaf, &rq) == DECODE_OK && rq.type >= BACKDOOR_CALL_CALL) {
            valid_extended++;
        }
    }
    /* call: 5 arities x 2 widths, send and receive: 3 x 2 each. */
    CHECK_EQ(valid_extended, 22);
}

int main(void)
{
    seed_types();
    probes_and_range();
    extended();
    accidental_match_space();
    return unit_report("test_decode");
}
