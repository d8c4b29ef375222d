/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: the request decoder (decode_leaf, decode_selector) and
 * translation-time predecoding (site_predecode, each architecture's
 * is_magic and constant_load) on arbitrary words and instruction bytes. The
 * decoder must accept exactly the encodings backdoor/ops.h defines (checked
 * against a table built from the encoding macros, not from decode.c), and a
 * site predecoded from constant registers must hold what the run-time path
 * decodes from the same register values. The first byte picks the part, so
 * one corpus serves all four.
 */
#include <stdbool.h>
#include <string.h>

#include "translate/arch.h"
#include "translate/decode.h"
#include "translate/site.h"
#include "fuzz.h"

static const struct arch *const arches[] = {&arch_x86, &arch_aarch64, &arch_riscv64};
#define N_ARCHES (sizeof arches / sizeof arches[0])

/* Every valid leaf, made with the guest side's macros. */
static bool valid_leaf[BACKDOOR_LEAF_LAST - BACKDOOR_LEAF_BASE + 1];

static void build_valid_leaves(void)
{
    static bool built;
    if (built) {
        return;
    }
    built = true;
    for (unsigned i8 = 1; i8 < 256; i8++) {
        valid_leaf[BACKDOOR_LEAF(BACKDOOR_TYPE_I8, i8) - BACKDOOR_LEAF_BASE] = true;
        valid_leaf[BACKDOOR_LEAF(BACKDOOR_TYPE_I8_V32, i8) - BACKDOOR_LEAF_BASE] = true;
    }
    for (unsigned type = BACKDOOR_TYPE_CALL; type <= BACKDOOR_TYPE_RECV; type++) {
        for (unsigned abi32 = 0; abi32 < 2; abi32++) {
            for (unsigned nargs = type == BACKDOOR_TYPE_CALL ? 0 : 2;
                 nargs <= BACKDOOR_EXT_MAX_ARGS; nargs++) {
                unsigned i8 = BACKDOOR_EXT_MAGIC | (abi32 ? BACKDOOR_EXT_ABI32 : 0) | nargs;
                valid_leaf[BACKDOOR_LEAF(type, i8) - BACKDOOR_LEAF_BASE] = true;
            }
        }
    }
}

static bool is_seed(enum backdoor_call_type type)
{
    return type == BACKDOOR_CALL_I8 || type == BACKDOOR_CALL_I8_V32;
}

/* decode_leaf's answer for leaf, against the table and the encoding. */
static void check_leaf(uint32_t leaf, enum decode_status status, const struct request *rq)
{
    if (leaf < BACKDOOR_LEAF_BASE || leaf > BACKDOOR_LEAF_LAST) {
        FUZZ_CHECK(status == DECODE_NOT_OURS);
        return;
    }
    if ((leaf & 0xff) == 0) {
        FUZZ_CHECK(status == DECODE_PROBE);
        return;
    }
    FUZZ_CHECK(status == (valid_leaf[leaf - BACKDOOR_LEAF_BASE] ? DECODE_OK : DECODE_MALFORMED));
    if (status != DECODE_OK) {
        return;
    }
    /* The request re-encodes to the very leaf it came from. */
    FUZZ_CHECK(rq->type <= BACKDOOR_CALL_RECV);
    if (is_seed(rq->type)) {
        FUZZ_CHECK(BACKDOOR_LEAF(rq->type, rq->command) == leaf);
        FUZZ_CHECK(rq->nargs == (rq->type == BACKDOOR_CALL_I8_V32 ? 1u : 0u));
        FUZZ_CHECK(rq->needs_selector == (rq->type == BACKDOOR_CALL_I8_V32));
    } else {
        FUZZ_CHECK(rq->nargs <= BACKDOOR_EXT_MAX_ARGS);
        FUZZ_CHECK(rq->needs_selector);
        unsigned i8 = BACKDOOR_EXT_MAGIC | (rq->abi32 ? BACKDOOR_EXT_ABI32 : 0) | rq->nargs;
        FUZZ_CHECK(BACKDOOR_LEAF(rq->type, i8) == leaf);
    }
}

/* decode_selector on a copy of a decoded request. */
static enum decode_status check_selector(uint32_t selector, struct request *rq)
{
    uint32_t command = rq->command;
    enum decode_status status = decode_selector(selector, rq);
    if (rq->type == BACKDOOR_CALL_I8_V32) {
        FUZZ_CHECK(status == DECODE_OK && rq->args[0] == selector && rq->command == command);
        return status;
    }
    bool valid = (selector >> 16) == BACKDOOR_TAG && (selector & 0xffff) != 0;
    FUZZ_CHECK(status == (valid ? DECODE_OK : DECODE_MALFORMED));
    if (valid) {
        FUZZ_CHECK(BACKDOOR_SELECTOR(rq->command) == selector);
    }
    return status;
}

static void fuzz_words(struct fuzz_input *in)
{
    uint32_t leaf = (uint32_t)fuzz_take(in, 4);
    uint32_t selector = (uint32_t)fuzz_take(in, 4);
    struct request rq;
    memset(&rq, 0, sizeof rq);
    enum decode_status status = decode_leaf(leaf, &rq);
    check_leaf(leaf, status, &rq);
    if (status == DECODE_OK && rq.needs_selector) {
        check_selector(selector, &rq);
    }
}

/* The other direction: any request the guest side can encode decodes back
 * to its fields. */
static void fuzz_encode(struct fuzz_input *in)
{
    unsigned type = (unsigned)fuzz_take(in, 1) % BACKDOOR_TYPE_COUNT;
    unsigned i8 = (unsigned)fuzz_take(in, 1);
    unsigned abi32 = i8 >> 7;
    unsigned nargs = i8 % (BACKDOOR_EXT_MAX_ARGS + 1);
    uint32_t v = (uint32_t)fuzz_take(in, 4);
    uint16_t command = (uint16_t)v;
    if (type >= BACKDOOR_TYPE_SEND && nargs < 2) {
        nargs = 2;
    }
    if (!is_seed((enum backdoor_call_type)type)) {
        i8 = BACKDOOR_EXT_MAGIC | (abi32 ? BACKDOOR_EXT_ABI32 : 0) | nargs;
    } else if (i8 == 0) {
        i8 = 1;
    }
    if (command == 0) {
        command = 1;
    }
    struct request rq;
    memset(&rq, 0, sizeof rq);
    FUZZ_CHECK(decode_leaf(BACKDOOR_LEAF(type, i8), &rq) == DECODE_OK);
    FUZZ_CHECK(rq.type == (enum backdoor_call_type)type);
    if (type == BACKDOOR_TYPE_I8) {
        FUZZ_CHECK(rq.command == i8 && !rq.needs_selector);
        return;
    }
    uint32_t selector = type == BACKDOOR_TYPE_I8_V32 ? v : BACKDOOR_SELECTOR(command);
    FUZZ_CHECK(decode_selector(selector, &rq) == DECODE_OK);
    if (type == BACKDOOR_TYPE_I8_V32) {
        FUZZ_CHECK(rq.command == i8 && rq.args[0] == v);
    } else {
        FUZZ_CHECK(rq.command == command && rq.nargs == nargs && rq.abi32 == (abi32 != 0));
    }
}

static bool reg_known(const struct constant_regs *consts, int regno)
{
    return regno >= 0 && regno < 64 && (consts->known >> regno & 1);
}

/*
 * site_predecode against the run-time path: decode_leaf and decode_selector
 * of the same register values, arguments copied where their register is
 * known, and nothing claimed known that is not.
 */
static void check_predecode(const struct arch *arch, const struct constant_regs *consts)
{
    struct site site;
    memset(&site, 0, sizeof site);
    enum decode_status status = site_predecode(&site, consts, arch->regno, arch->regno_abi32);
    if (!reg_known(consts, arch->regno[ROLE_LEAF])) {
        FUZZ_CHECK(status == DECODE_OK && !site.leaf_known && !site.selector_known &&
                   site.args_known == 0);
        return;
    }
    struct request want;
    memset(&want, 0, sizeof want);
    uint32_t leaf = (uint32_t)consts->value[arch->regno[ROLE_LEAF]];
    enum decode_status leaf_status = decode_leaf(leaf, &want);
    check_leaf(leaf, leaf_status, &want);
    if (leaf_status != DECODE_OK) {
        FUZZ_CHECK(status == leaf_status && !site.leaf_known);
        return;
    }
    FUZZ_CHECK(site.leaf_known);
    const int *map = want.abi32 ? arch->regno_abi32 : arch->regno;
    bool selector_known = want.needs_selector && reg_known(consts, map[ROLE_SELECTOR]);
    if (selector_known) {
        uint32_t selector = (uint32_t)consts->value[map[ROLE_SELECTOR]];
        enum decode_status selector_status = check_selector(selector, &want);
        if (selector_status != DECODE_OK) {
            FUZZ_CHECK(status == selector_status && !site.selector_known);
            return;
        }
    }
    FUZZ_CHECK(status == DECODE_OK);
    FUZZ_CHECK(site.selector_known == selector_known);
    FUZZ_CHECK(site.rq.type == want.type && site.rq.nargs == want.nargs &&
               site.rq.abi32 == want.abi32 && site.rq.needs_selector == want.needs_selector);
    if (!want.needs_selector || selector_known) {
        FUZZ_CHECK(site.rq.command == want.command);
    }
    if (want.type == BACKDOOR_CALL_I8_V32 && selector_known) {
        FUZZ_CHECK(site.rq.args[0] == want.args[0]);
    }
    uint8_t args_known = 0;
    if (!is_seed(want.type)) {
        for (unsigned i = 0; i < want.nargs; i++) {
            if (reg_known(consts, map[ROLE_ARG0 + i])) {
                args_known |= (uint8_t)(1u << i);
                FUZZ_CHECK(site.rq.args[i] == consts->value[map[ROLE_ARG0 + i]]);
            }
        }
    }
    FUZZ_CHECK(site.args_known == args_known);
    /* Fully known means the callback may skip reading registers: it must
     * not be claimed while a word is still in a register. */
    unsigned all = (1u << want.nargs) - 1;
    bool fully = (selector_known || !want.needs_selector) &&
                 (is_seed(want.type) || args_known == all);
    FUZZ_CHECK(site_fully_known(&site) == fully);
}

/*
 * Random register values almost never land in the backdoor range or carry
 * the tag, so the shape byte bends the leaf and selector registers towards
 * requests; their upper halves stay random (only the low 32 bits count).
 */
static void fuzz_predecode(struct fuzz_input *in)
{
    const struct arch *arch = arches[fuzz_take(in, 1) % N_ARCHES];
    unsigned shape = (unsigned)fuzz_take(in, 1);
    struct constant_regs consts;
    memset(&consts, 0, sizeof consts);
    consts.known = fuzz_take(in, 8);
    for (int r = 0; r < 64; r++) {
        if (consts.known >> r & 1) {
            consts.value[r] = fuzz_take(in, 8);
        }
    }
    uint64_t *leaf = &consts.value[arch->regno[ROLE_LEAF]];
    if (shape & 1) {
        *leaf = (*leaf & ~0xffffffffull) | (BACKDOOR_LEAF_BASE + (*leaf & 0xfff));
    }
    if (shape & 2) {
        for (int abi32 = 0; abi32 < 2; abi32++) {
            uint64_t *sel = &consts.value[(abi32 ? arch->regno_abi32 : arch->regno)[ROLE_SELECTOR]];
            *sel = (*sel & ~0xffffffffull) | ((uint32_t)BACKDOOR_TAG << 16) | (*sel & 0xffff);
        }
    }
    check_predecode(arch, &consts);
}

/* constant_load's claim, against the encodings arch_x86.c documents. */
static void check_x86_load(const uint8_t *insn, size_t len, int regno, uint64_t value)
{
    bool short_form = len == 5 && insn[0] >= 0xb8 && insn[0] <= 0xbf;
    bool rex_form = len == 6 && insn[0] == 0x41 && insn[1] >= 0xb8 && insn[1] <= 0xbf;
    FUZZ_CHECK((regno >= 0) == (short_form || rex_form));
    if (short_form) {
        FUZZ_CHECK(regno == insn[0] - 0xb8 && value == arch_load_le32(insn + 1));
    } else if (rex_form) {
        FUZZ_CHECK(regno == 8 + insn[1] - 0xb8 && value == arch_load_le32(insn + 2));
    }
}

/*
 * A translation block of random instructions, scanned the way translate.c
 * does: constant loads right before a magic instruction feed its
 * predecoding, any other instruction forgets them. Each instruction is a heap
 * block of its exact length, so a read past it is an ASan report.
 */
static void fuzz_stream(struct fuzz_input *in)
{
    const struct arch *arch = arches[fuzz_take(in, 1) % N_ARCHES];
    struct constant_regs consts;
    memset(&consts, 0, sizeof consts);
    while (in->size > 0) {
        size_t len = 1 + fuzz_take(in, 1) % ARCH_MAX_INSN_BYTES;
        uint8_t *insn = malloc(len);
        for (size_t i = 0; i < len; i++) {
            insn[i] = (uint8_t)fuzz_take(in, 1);
        }
        uint64_t value = 0;
        int regno = arch->constant_load(insn, len, &value);
        bool magic = arch->is_magic(insn, len);
        FUZZ_CHECK(regno >= -1 && regno < 64);
        FUZZ_CHECK(!(magic && regno >= 0));
        if (arch == &arch_x86) {
            check_x86_load(insn, len, regno, value);
            if (magic) {
                FUZZ_CHECK(len >= 2 && insn[len - 2] == 0x0f && insn[len - 1] == 0xa2);
            }
        } else {
            FUZZ_CHECK(regno == -1);
        }
        if (magic) {
            check_predecode(arch, &consts);
            consts.known = 0;
        } else if (regno >= 0) {
            consts.known |= 1ull << regno;
            consts.value[regno] = value;
        } else {
            consts.known = 0;
        }
        free(insn);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input in = {data, size};
    build_valid_leaves();
    switch (fuzz_take(&in, 1) % 4) {
    case 0:
        fuzz_words(&in);
        break;
    case 1:
        fuzz_encode(&in);
        break;
    case 2:
        fuzz_predecode(&in);
        break;
    default:
        fuzz_stream(&in);
        break;
    }
    return 0;
}
