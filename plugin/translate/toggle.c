/* SPDX-License-Identifier: GPL-2.0-or-later */
/* translate/toggle.h */
#include "translate/toggle.h"

#include <string.h>

#include "qemu/qemu_compat.h"
#include "qemu/registers.h"
#include "qemu/vcpu.h"

struct toggle_vcpu {
    uint64_t active[TOGGLE_FUNCTIONS];   /* 1 while the function runs */
    uint64_t entry_sp[TOGGLE_FUNCTIONS]; /* the stack pointer at its entry */
    uint64_t any_active;                 /* how many of them run */
};

/* What a callback needs, shared between blocks with the same values. */
struct toggle_point {
    uint32_t function; /* index of its flag */
    uint32_t fn_slot;
    uint32_t counted;
};

#define MAX_POINTS (1u << 16)

static struct toggle_config config;
static GPatternSpec **patterns;
static struct qemu_plugin_scoreboard *state;
static struct qemu_plugin_register *stack_pointer;
static GOnce registers_found = G_ONCE_INIT;
static GMutex lock;
static GHashTable *function_by_name; /* name -> index + 1, or 0: no match */
static GHashTable *points;
static uint32_t n_functions;
static uint64_t unfollowed, dropped_points;

static gpointer find_registers(gpointer unused)
{
    (void)unused;
    stack_pointer = reg_find(config.arch->stack_pointer_reg);
    return NULL;
}

bool toggle_init(const struct toggle_config *toggle_config)
{
    config = *toggle_config;
    if (config.arch->is_return == NULL || config.arch->stack_pointer_reg == NULL) {
        return false;
    }
    patterns = g_new(GPatternSpec *, config.n_patterns);
    for (unsigned i = 0; i < config.n_patterns; i++) {
        patterns[i] = g_pattern_spec_new(config.patterns[i]);
    }
    state = qemu_plugin_scoreboard_new(sizeof(struct toggle_vcpu));
    function_by_name = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    points = g_hash_table_new(g_int64_hash, g_int64_equal);
    return true;
}

/* The flag index of the function holding insn, or -1. */
static int function_of(struct qemu_plugin_insn *insn)
{
    const char *name = qemu_plugin_insn_symbol ? qemu_plugin_insn_symbol(insn) : NULL;
    if (name == NULL || name[0] == '\0') {
        return -1;
    }
    g_mutex_lock(&lock);
    gpointer found;
    if (!g_hash_table_lookup_extended(function_by_name, name, NULL, &found)) {
        bool match = false;
        for (unsigned i = 0; i < config.n_patterns && !match; i++) {
            match = g_pattern_spec_match_string(patterns[i], name);
        }
        uint32_t index = 0;
        if (match && n_functions < TOGGLE_FUNCTIONS) {
            index = ++n_functions;
        } else if (match) {
            unfollowed++;
        }
        found = GUINT_TO_POINTER(index);
        g_hash_table_insert(function_by_name, g_strdup(name), found);
    }
    g_mutex_unlock(&lock);
    return (int)GPOINTER_TO_UINT(found) - 1;
}

/* Keys pack the point's three fields, so equal points share one copy. */
static const struct toggle_point *point_intern(uint32_t function, uint32_t fn_slot,
                                               uint32_t counted)
{
    int64_t key = (int64_t)function << 48 | (int64_t)fn_slot << 16 | counted;
    g_mutex_lock(&lock);
    struct toggle_point *point = g_hash_table_lookup(points, &key);
    if (point == NULL && g_hash_table_size(points) < MAX_POINTS) {
        int64_t *stored_key = g_new(int64_t, 1);
        *stored_key = key;
        point = g_new(struct toggle_point, 1);
        *point = (struct toggle_point){function, fn_slot, counted};
        g_hash_table_insert(points, stored_key, point);
    } else if (point == NULL) {
        dropped_points++;
    }
    g_mutex_unlock(&lock);
    return point;
}

void toggle_vcpu_init(unsigned int vcpu_index)
{
    if (state != NULL) {
        struct toggle_vcpu *t = qemu_plugin_scoreboard_find(state, vcpu_index);
        memset(t->active, 0, sizeof t->active);
        t->any_active = 0;
    }
}

static qemu_plugin_u64 active_flag(uint32_t function)
{
    return (qemu_plugin_u64){state, offsetof(struct toggle_vcpu, active) +
                                        function * sizeof(uint64_t)};
}

static void on_entry(unsigned int vcpu_index, void *udata)
{
    const struct toggle_point *point = udata;
    struct vcpu *vcpu = vcpu_get(vcpu_index);
    if (vcpu == NULL) {
        return;
    }
    uint64_t sp = reg_read(vcpu, stack_pointer);
    struct toggle_vcpu *t = qemu_plugin_scoreboard_find(state, vcpu_index);
    t->active[point->function] = 1;
    t->entry_sp[point->function] = sp;
    t->any_active++;
    config.flip(vcpu_index, point->fn_slot, point->counted);
}

/*
 * A return while functions are active: each whose entry's stack pointer
 * it reaches is left. That is its own return, or the return of a function
 * it jumped to at its end (a tail call: Callgrind unwinds both frames
 * there); a deeper activation returns below it. The return ends its
 * block, so the block's count is all before the flip.
 */
static void on_return(unsigned int vcpu_index, void *unused)
{
    (void)unused;
    struct vcpu *vcpu = vcpu_get(vcpu_index);
    if (vcpu == NULL) {
        return;
    }
    uint64_t sp = reg_read(vcpu, stack_pointer);
    struct toggle_vcpu *t = qemu_plugin_scoreboard_find(state, vcpu_index);
    uint32_t n = __atomic_load_n(&n_functions, __ATOMIC_RELAXED);
    for (uint32_t f = 0; f < n && t->any_active > 0; f++) {
        if (t->active[f] && sp >= t->entry_sp[f]) {
            t->active[f] = 0;
            t->any_active--;
            config.flip(vcpu_index, 0, 0);
            t = qemu_plugin_scoreboard_find(state, vcpu_index);
        }
    }
}

void toggle_block(struct qemu_plugin_tb *tb, size_t n, const uint32_t *slots)
{
    g_once(&registers_found, find_registers, NULL);
    if (stack_pointer == NULL || n == 0) {
        return;
    }
    int first = function_of(qemu_plugin_tb_get_insn(tb, 0));
    if (first >= 0) {
        /* Fires only while the function is not active: then this block
         * is where it is entered, and its instructions count after. */
        const struct toggle_point *point =
            point_intern((uint32_t)first, slots != NULL ? slots[0] : 0, (uint32_t)n);
        if (point != NULL) {
            qemu_plugin_register_vcpu_tb_exec_cond_cb(tb, on_entry, QEMU_PLUGIN_CB_R_REGS,
                                                      QEMU_PLUGIN_COND_EQ,
                                                      active_flag(point->function), 0,
                                                      (void *)point);
        }
    }
    /* Returns end their block: only the last instruction can be one. */
    struct qemu_plugin_insn *last = qemu_plugin_tb_get_insn(tb, n - 1);
    uint8_t bytes[ARCH_MAX_INSN_BYTES];
    size_t len = qemu_insn_bytes(last, bytes, sizeof bytes);
    if (len != 0 && config.arch->is_return(bytes, len)) {
        qemu_plugin_register_vcpu_insn_exec_cond_cb(
            last, on_return, QEMU_PLUGIN_CB_R_REGS, QEMU_PLUGIN_COND_NE,
            (qemu_plugin_u64){state, offsetof(struct toggle_vcpu, any_active)}, 0, NULL);
    }
}

uint64_t toggle_unfollowed(void)
{
    g_mutex_lock(&lock);
    uint64_t n = unfollowed;
    g_mutex_unlock(&lock);
    return n;
}
