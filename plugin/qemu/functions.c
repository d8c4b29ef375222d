/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Function slots (qemu/functions.h). One scoreboard entry per vCPU holds
 * every slot's counter, so a block's inline add needs only the slot's
 * offset. Names are looked up at translation, never on the execution path.
 */
#include "qemu/functions.h"

static struct qemu_plugin_scoreboard *counts;
static GMutex lock;
static GHashTable *slot_by_name; /* name -> slot + 1 */
static const char *names[FUNCTION_SLOTS];
static uint32_t used;

void functions_init(void)
{
    counts = qemu_plugin_scoreboard_new(FUNCTION_SLOTS * sizeof(uint64_t));
    slot_by_name = g_hash_table_new(g_str_hash, g_str_equal);
    names[FUNCTION_SLOT_UNKNOWN] = "(no symbol)";
    names[FUNCTION_SLOT_OVERFLOW] = "(functions past the profile's table)";
    used = 2;
}

uint32_t function_slot(const struct qemu_plugin_insn *insn)
{
    /* Weak: a QEMU without symbol lookup leaves every function unnamed. */
    const char *name = qemu_plugin_insn_symbol ? qemu_plugin_insn_symbol(insn) : NULL;
    if (name == NULL || name[0] == '\0') {
        return FUNCTION_SLOT_UNKNOWN;
    }
    g_mutex_lock(&lock);
    uint32_t slot = GPOINTER_TO_UINT(g_hash_table_lookup(slot_by_name, name));
    if (slot != 0) {
        slot--;
    } else if (used < FUNCTION_SLOTS) {
        slot = used;
        char *copy = g_strdup(name);
        g_hash_table_insert(slot_by_name, copy, GUINT_TO_POINTER(slot + 1));
        __atomic_store_n(&names[slot], copy, __ATOMIC_RELEASE);
        __atomic_store_n(&used, used + 1, __ATOMIC_RELEASE);
    } else {
        slot = FUNCTION_SLOT_OVERFLOW;
    }
    g_mutex_unlock(&lock);
    return slot;
}

qemu_plugin_u64 function_counter(uint32_t slot)
{
    return (qemu_plugin_u64){counts, slot * sizeof(uint64_t)};
}

const uint64_t *function_counts(unsigned int vcpu_index)
{
    return qemu_plugin_scoreboard_find(counts, vcpu_index);
}

void function_add(unsigned int vcpu_index, uint32_t slot, uint64_t n)
{
    uint64_t *slots = qemu_plugin_scoreboard_find(counts, vcpu_index);
    slots[slot] += n;
}

uint32_t function_slots_used(void)
{
    return __atomic_load_n(&used, __ATOMIC_ACQUIRE);
}

const char *function_name(uint32_t slot)
{
    return slot < function_slots_used() ? __atomic_load_n(&names[slot], __ATOMIC_ACQUIRE)
                                        : NULL;
}
