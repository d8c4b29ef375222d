/* SPDX-License-Identifier: GPL-2.0-or-later */
/* translate/repeats.h */
#include "translate/repeats.h"

#include <stddef.h>
#include <string.h>

#include "translate/repeat_rule.h"
#include "qemu/functions.h"
#include "qemu/memory.h"
#include "qemu/qemu_compat.h"
#include "qemu/registers.h"
#include "qemu/vcpu.h"

static struct repeats_config config;
static struct qemu_plugin_register *count_reg, *source_reg, *dest_reg, *accumulator_reg;
static GOnce registers_found = G_ONCE_INIT;

/*
 * What an entry leaves pending, packed into the callback's userdata and the
 * vCPU's repeat_pending: the form, whether the instruction is kernel code,
 * its function slot; the top bit keeps the word non-zero.
 */
enum {
    PENDING_CONDITIONAL = 1u << 0,
    PENDING_WHILE_EQUAL = 1u << 1,
    PENDING_SHORT_COUNT = 1u << 2,
    PENDING_KERNEL = 1u << 3,
    PENDING_SIZE_SHIFT = 4, /* log2 of the element size, two bits */
    PENDING_SCAN = 1u << 6, /* scas: compares with the accumulator */
    PENDING_SLOT_SHIFT = 8,
};
#define PENDING_MARK (1ull << 63)

static uint64_t pack(const struct repeat_form *form, bool kernel, uint32_t slot)
{
    unsigned size_log2 = form->element_size == 8 ? 3 : form->element_size == 4 ? 2
                         : form->element_size == 2 ? 1 : 0;
    return PENDING_MARK | (form->conditional ? PENDING_CONDITIONAL : 0) |
           (form->while_equal ? PENDING_WHILE_EQUAL : 0) |
           (form->short_count ? PENDING_SHORT_COUNT : 0) | (kernel ? PENDING_KERNEL : 0) |
           (uint64_t)size_log2 << PENDING_SIZE_SHIFT | (form->with_accumulator ? PENDING_SCAN : 0) |
           (uint64_t)slot << PENDING_SLOT_SHIFT;
}

static void enter(unsigned int vcpu_index, void *packed)
{
    struct vcpu *vcpu = vcpu_get(vcpu_index);
    if (vcpu == NULL) {
        return;
    }
    uint64_t count = reg_read(vcpu, count_reg);
    uint64_t dest = (uintptr_t)packed & PENDING_CONDITIONAL ? reg_read(vcpu, dest_reg) : 0;
    struct vcpu_counters *counters = vcpu_counters(vcpu_index);
    counters->repeat_before = count;
    counters->repeat_before_di = dest;
    counters->repeat_pending = (uint64_t)(uintptr_t)packed;
}

/*
 * Whether the last compare of a cmps or scas found its operands equal. QEMU
 * computes the flags lazily and its "eflags" register omits them, so the
 * operands are read again: the elements just behind the index registers,
 * on the side the instruction went. Unreadable ones count as equal.
 */
static bool last_compare_equal(struct vcpu *vcpu, uint64_t packed, uint64_t before_dest,
                               uint64_t address_mask)
{
    size_t size = 1u << (packed >> PENDING_SIZE_SHIFT & 3);
    uint64_t dest = reg_read(vcpu, dest_reg);
    bool backwards = ((dest - before_dest) & address_mask) > address_mask / 2;
    uint64_t step = backwards ? -(uint64_t)size : size;
    uint8_t left[8], right[8];
    if (packed & PENDING_SCAN) {
        uint64_t accumulator = reg_read(vcpu, accumulator_reg);
        memcpy(left, &accumulator, size); /* the host is little-endian, as x86 */
    } else if (!guest_read(vcpu, (reg_read(vcpu, source_reg) - step) & address_mask, left,
                           size)) {
        return true;
    }
    if (!guest_read(vcpu, (dest - step) & address_mask, right, size)) {
        return true;
    }
    return memcmp(left, right, size) == 0;
}

static void settle(unsigned int vcpu_index, void *unused)
{
    (void)unused;
    struct vcpu *vcpu = vcpu_get(vcpu_index);
    struct vcpu_counters *counters = vcpu_counters(vcpu_index);
    uint64_t packed = counters->repeat_pending;
    if (vcpu == NULL || packed == 0) {
        return;
    }
    counters->repeat_pending = 0;
    uint64_t before = counters->repeat_before, before_dest = counters->repeat_before_di;
    struct repeat_form form = {
        .conditional = packed & PENDING_CONDITIONAL,
        .while_equal = packed & PENDING_WHILE_EQUAL,
        .short_count = packed & PENDING_SHORT_COUNT,
    };
    /* The address-size prefix halves the count and index registers: ECX,
     * ESI, EDI in 64-bit code, CX, SI, DI in 32-bit code. */
    uint64_t mask = config.wide_count ? (form.short_count ? UINT32_MAX : UINT64_MAX)
                                      : (form.short_count ? UINT16_MAX : UINT32_MAX);
    uint64_t after = reg_read(vcpu, count_reg);
    /* Only a compare whose count ran out needs to know how it ended. */
    bool last_equal = form.conditional && (after & mask) == 0 && before != after &&
                      last_compare_equal(vcpu, packed, before_dest, mask);
    uint64_t extra = repeat_extra(form, before, after, mask, last_equal);
    if (extra == 0) {
        return;
    }
    /* Registers and memory were read through QEMU since: the counters are
     * looked up afresh, as qemu/vcpu.h asks. */
    counters = vcpu_counters(vcpu_index);
    counters->insns += extra;
    if (packed & PENDING_KERNEL) {
        counters->insns_kernel += extra;
    }
    if (config.profile) {
        function_add(vcpu_index, (uint32_t)(packed >> PENDING_SLOT_SHIFT) & 0xffffffu, extra);
    }
}

static gpointer find_registers(gpointer unused)
{
    (void)unused;
    count_reg = reg_find("rcx|ecx");
    source_reg = reg_find("rsi|esi");
    dest_reg = reg_find("rdi|edi");
    accumulator_reg = reg_find("rax|eax");
    return NULL;
}

void repeats_init(const struct repeats_config *repeats_config)
{
    config = *repeats_config;
}

void repeats_block(struct qemu_plugin_tb *tb)
{
    /* Whatever the block, an entry left pending by the block before is
     * settled when it starts: its registers are the instruction's result. */
    qemu_plugin_register_vcpu_tb_exec_cond_cb(
        tb, settle, QEMU_PLUGIN_CB_R_REGS, QEMU_PLUGIN_COND_NE,
        vcpu_counter(offsetof(struct vcpu_counters, repeat_pending)), 0, NULL);
}

void repeats_insn(struct qemu_plugin_insn *insn, struct qemu_plugin_insn *next,
                  const uint8_t *bytes, size_t len, uint32_t slot)
{
    struct repeat_form form;
    if (!config.arch->repeated_string(bytes, len, &form)) {
        return;
    }
    g_once(&registers_found, find_registers, NULL);
    if (count_reg == NULL || source_reg == NULL || dest_reg == NULL ||
        accumulator_reg == NULL) {
        return;
    }
    bool kernel = config.kernel_apart && guest_kernel_address(qemu_plugin_insn_vaddr(insn));
    uint64_t packed = pack(&form, kernel, slot);
    qemu_plugin_register_vcpu_insn_exec_cb(insn, enter, QEMU_PLUGIN_CB_R_REGS,
                                           (void *)(uintptr_t)packed);
    /* QEMU ends the block after such an instruction; should one ever run
     * on within the block, its next instruction settles it. */
    if (next != NULL) {
        qemu_plugin_register_vcpu_insn_exec_cb(next, settle, QEMU_PLUGIN_CB_R_REGS, NULL);
    }
}
