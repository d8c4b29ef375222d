/* SPDX-License-Identifier: GPL-2.0-or-later */
/* translate/call_sites.h */
#include "translate/call_sites.h"

#include <stddef.h>

#include "qemu/functions.h"
#include "qemu/vcpu.h"

static const struct arch *arch;
static qemu_plugin_vcpu_udata_cb_t on_entry;
static GMutex lock;
/* Targets by content, so retranslation does not grow memory; past the
 * bound blocks get no entry callback (their calls are not seen). */
static GHashTable *targets;
#define MAX_TARGETS (1u << 22)
/* The address range each function's translated code covered so far: a
 * direct jump inside it stays in the function and needs no callback. */
static uint64_t *range_low, *range_high;

static guint target_hash(gconstpointer key)
{
    const struct call_target *t = key;
    return (guint)(t->pc ^ (t->pc >> 29)) * 31u + t->slot;
}

static gboolean target_equal(gconstpointer a, gconstpointer b)
{
    const struct call_target *x = a, *y = b;
    return x->pc == y->pc && x->slot == y->slot;
}

void call_sites_init(const struct arch *call_arch, qemu_plugin_vcpu_udata_cb_t callback)
{
    arch = call_arch;
    on_entry = callback;
    targets = g_hash_table_new(target_hash, target_equal);
    range_low = g_new(uint64_t, FUNCTION_SLOTS);
    range_high = g_new0(uint64_t, FUNCTION_SLOTS);
    for (uint32_t i = 0; i < FUNCTION_SLOTS; i++) {
        range_low[i] = UINT64_MAX;
    }
}

void call_sites_block_start(struct qemu_plugin_tb *tb, uint32_t first_slot)
{
    struct call_target key = {qemu_plugin_tb_vaddr(tb), first_slot};
    g_mutex_lock(&lock);
    struct call_target *shared = g_hash_table_lookup(targets, &key);
    if (shared == NULL && g_hash_table_size(targets) < MAX_TARGETS) {
        shared = g_memdup2(&key, sizeof key);
        g_hash_table_add(targets, shared);
    }
    g_mutex_unlock(&lock);
    if (shared == NULL) {
        return;
    }
    qemu_plugin_register_vcpu_tb_exec_cond_cb(
        tb, on_entry, QEMU_PLUGIN_CB_R_REGS, QEMU_PLUGIN_COND_NE,
        vcpu_counter(offsetof(struct vcpu_counters, branch_pending)), 0, shared);
}

static void store(struct qemu_plugin_insn *insn, size_t field, uint64_t value)
{
    qemu_plugin_register_vcpu_insn_exec_inline_per_vcpu(insn, QEMU_PLUGIN_INLINE_STORE_U64,
                                                        vcpu_counter(field), value);
}

void call_sites_insn(struct qemu_plugin_insn *insn, const uint8_t *bytes, size_t len,
                     uint32_t slot)
{
    uint64_t pc = qemu_plugin_insn_vaddr(insn), end = pc + qemu_plugin_insn_size(insn);
    uint64_t target;
    enum branch_kind kind = arch->branch(bytes, len, pc, &target);
    g_mutex_lock(&lock);
    range_low[slot] = MIN(range_low[slot], pc);
    range_high[slot] = MAX(range_high[slot], end);
    /* Unnamed code and the functions past the table share a slot whose
     * range says nothing. */
    bool shared = slot == FUNCTION_SLOT_UNKNOWN || slot == FUNCTION_SLOT_OVERFLOW;
    bool inside = target != 0 && !shared && target >= range_low[slot] &&
                  target < range_high[slot];
    g_mutex_unlock(&lock);
    if (kind == BRANCH_NONE || (kind == BRANCH_JUMP && inside)) {
        return;
    }
    if (kind == BRANCH_CALL) {
        store(insn, offsetof(struct vcpu_counters, branch_return_address), end);
    }
    uint64_t indirect = kind == BRANCH_JUMP && target == 0 ? CALL_SITE_INDIRECT : 0;
    store(insn, offsetof(struct vcpu_counters, branch_pending),
          (uint64_t)kind | indirect | (uint64_t)slot << 8);
}
