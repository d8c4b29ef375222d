/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Function slots (qemu/functions.h). One scoreboard entry per vCPU holds
 * every slot's counter, so a block's inline add needs only the slot's
 * offset. Places are looked up at translation (qemu/symbols.h), never on
 * the execution path; their strings are interned, so a place is its
 * pointers and line.
 */
#include "qemu/functions.h"

static struct qemu_plugin_scoreboard *counts;
static struct qemu_plugin_scoreboard *plt_callers; /* one slot number per vCPU */
static GMutex lock;
static GHashTable *slot_by_place; /* struct code_place -> slot + 1 */
static struct code_place places[FUNCTION_SLOTS];
static uint32_t used;
/* A function's places form a chain from its first one (its head), so the
 * call graph keys functions, not lines: head per slot, next in the chain
 * (0 ends it: slot 0 is never a line of another function), the chain's
 * last per head. */
static GHashTable *head_by_function; /* struct code_place -> head slot + 1 */
static uint32_t heads[FUNCTION_SLOTS], next_lines[FUNCTION_SLOTS], last_lines[FUNCTION_SLOTS];

static guint place_hash(gconstpointer p)
{
    const struct code_place *c = p;
    return g_direct_hash(c->function) ^ g_direct_hash(c->object) * 31u ^
           g_direct_hash(c->file) * 7u ^ c->line * 2654435761u;
}

static gboolean place_equal(gconstpointer pa, gconstpointer pb)
{
    const struct code_place *a = pa, *b = pb;
    return a->function == b->function && a->object == b->object && a->file == b->file &&
           a->line == b->line && a->fn_file == b->fn_file;
}

static guint function_hash(gconstpointer p)
{
    const struct code_place *c = p;
    return g_direct_hash(c->function) ^ g_direct_hash(c->object) * 31u ^
           g_direct_hash(c->fn_file) * 7u;
}

static gboolean function_equal(gconstpointer pa, gconstpointer pb)
{
    const struct code_place *a = pa, *b = pb;
    return a->function == b->function && a->object == b->object && a->fn_file == b->fn_file;
}

void functions_init(void)
{
    counts = qemu_plugin_scoreboard_new(FUNCTION_SLOTS * sizeof(uint64_t));
    plt_callers = qemu_plugin_scoreboard_new(sizeof(uint64_t));
    slot_by_place = g_hash_table_new(place_hash, place_equal);
    head_by_function = g_hash_table_new(function_hash, function_equal);
    heads[FUNCTION_SLOT_OVERFLOW] = FUNCTION_SLOT_OVERFLOW;
    places[FUNCTION_SLOT_UNKNOWN].function = "(no symbol)";
    places[FUNCTION_SLOT_OVERFLOW].function = "(functions past the profile's table)";
    used = 2;
}

/* Under the lock: a new slot joins its function's chain. */
static void chain_line(uint32_t slot)
{
    uint32_t head = GPOINTER_TO_UINT(g_hash_table_lookup(head_by_function, &places[slot]));
    if (head == 0) {
        g_hash_table_insert(head_by_function, &places[slot], GUINT_TO_POINTER(slot + 1));
        heads[slot] = last_lines[slot] = slot;
        return;
    }
    head--;
    heads[slot] = head;
    __atomic_store_n(&next_lines[last_lines[head]], slot, __ATOMIC_RELEASE);
    last_lines[head] = slot;
}

static uint32_t slot_of(const struct code_place *place)
{
    g_mutex_lock(&lock);
    uint32_t slot = GPOINTER_TO_UINT(g_hash_table_lookup(slot_by_place, place));
    if (slot != 0) {
        slot--;
    } else if (used < FUNCTION_SLOTS) {
        slot = used;
        places[slot] = *place;
        g_hash_table_insert(slot_by_place, &places[slot], GUINT_TO_POINTER(slot + 1));
        chain_line(slot);
        __atomic_store_n(&used, used + 1, __ATOMIC_RELEASE);
    } else {
        slot = FUNCTION_SLOT_OVERFLOW;
    }
    g_mutex_unlock(&lock);
    return slot;
}

uint32_t function_slot(const struct qemu_plugin_insn *insn, uint64_t block_start)
{
    struct code_place place;
    symbols_lookup(insn, qemu_plugin_insn_vaddr(insn), block_start, &place);
    return slot_of(&place);
}

bool function_plt_stub(uint64_t addr, uint32_t *slot, uint32_t *insns)
{
    struct code_place place;
    if (!symbols_plt_stub(addr, insns)) {
        return false;
    }
    symbols_lookup(NULL, addr, addr, &place);
    *slot = slot_of(&place);
    return true;
}

qemu_plugin_u64 function_counter(uint32_t slot)
{
    return (qemu_plugin_u64){counts, slot * sizeof(uint64_t)};
}

const uint64_t *function_counts(unsigned int vcpu_index)
{
    return qemu_plugin_scoreboard_find(counts, vcpu_index);
}

qemu_plugin_u64 function_plt_caller(void)
{
    return (qemu_plugin_u64){plt_callers, 0};
}

void function_charge_plt_caller(unsigned int vcpu_index, uint32_t own_slot, uint64_t insns)
{
    uint64_t caller = *(uint64_t *)qemu_plugin_scoreboard_find(plt_callers, vcpu_index);
    /* 0: no stub called yet on this vCPU (slot 0 is unnamed code). */
    if (caller == 0 || caller >= function_slots_used() || caller == own_slot) {
        return;
    }
    uint64_t *slots = qemu_plugin_scoreboard_find(counts, vcpu_index);
    slots[caller] += insns;
    slots[own_slot] -= insns;
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
    return slot < function_slots_used() ? places[slot].function : NULL;
}

const struct code_place *function_place(uint32_t slot)
{
    return slot < function_slots_used() ? &places[slot] : NULL;
}

uint32_t function_of(uint32_t slot)
{
    return slot < function_slots_used() ? heads[slot] : FUNCTION_SLOT_UNKNOWN;
}

uint32_t function_next_line(uint32_t slot)
{
    return __atomic_load_n(&next_lines[slot], __ATOMIC_ACQUIRE);
}
