/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Register access. QEMU appends what it reads to a GByteArray in target byte
 * order (little-endian on every target here), so each read starts from an
 * empty per-vCPU buffer and no allocation happens on the call path.
 */
#include "qemu/registers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qemu/qemu_compat.h"

static const struct register_layout *layout;
static const char *target_name;
static bool system_mode;
/* Written once by resolve_once, read-only afterwards. */
static GHashTable *regs_by_name; /* name -> struct named_reg */
static struct reg_map map64, map32;
static const struct reg_map *native_map;
static struct qemu_plugin_register *privilege_reg, *pc_reg, *address_space_reg,
    *thread_pointer_reg;

struct named_reg {
    struct qemu_plugin_register *handle;
    int size;
};

/* Guest registers arrive in target byte order, little-endian on every
 * supported target; on a little-endian host that is one move. */
static inline uint64_t load_le64(const uint8_t *bytes)
{
    uint64_t value;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    memcpy(&value, bytes, sizeof value);
#else
    value = 0;
    for (int i = 7; i >= 0; i--) {
        value = value << 8 | bytes[i];
    }
#endif
    return value;
}

static inline void store_le64(uint8_t *bytes, uint64_t value)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    memcpy(bytes, &value, sizeof value);
#else
    for (int i = 0; i < 8; i++) {
        bytes[i] = (uint8_t)(value >> (8 * i));
    }
#endif
}

static struct qemu_plugin_register *find_alternative(GHashTable *by_name,
                                                     const char *alternatives)
{
    gchar **names = g_strsplit(alternatives, "|", -1);
    struct qemu_plugin_register *found = NULL;
    for (gchar **name = names; *name != NULL && found == NULL; name++) {
        struct named_reg *reg = g_hash_table_lookup(by_name, *name);
        if (reg != NULL) {
            found = reg->handle;
        }
    }
    g_strfreev(names);
    return found;
}

static void resolve_map(struct reg_map *map, const char *const *names)
{
    map->complete = true;
    for (int role = 0; role < ROLE_COUNT; role++) {
        map->handle[role] = find_alternative(regs_by_name, names[role]);
        map->complete &= map->handle[role] != NULL;
    }
}

void registers_init(const struct register_layout *arch_layout, const char *target,
                    bool system)
{
    layout = arch_layout;
    target_name = target;
    system_mode = system;
}

static gpointer resolve_once(gpointer unused)
{
    (void)unused;
    GArray *regs = qemu_plugin_get_registers();
    GByteArray *scratch = g_byte_array_new();
    regs_by_name = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    guint stride = g_array_get_element_size(regs);
    for (guint i = 0; i < regs->len; i++) {
        const qemu_plugin_reg_descriptor *desc =
            (const qemu_plugin_reg_descriptor *)(regs->data + (gsize)i * stride);
        struct named_reg *reg = g_new(struct named_reg, 1);
        g_byte_array_set_size(scratch, 0);
        reg->handle = desc->handle;
        reg->size = qemu_read_register(desc->handle, scratch) ? (int)scratch->len : -1;
        g_hash_table_insert(regs_by_name, g_strdup(desc->name), reg);
    }
    g_byte_array_free(scratch, TRUE);
    g_array_free(regs, TRUE);

    resolve_map(&map64, layout->names);
    resolve_map(&map32, layout->names_abi32);
    privilege_reg = find_alternative(regs_by_name, layout->privilege_reg);
    pc_reg = find_alternative(regs_by_name, layout->pc_reg);
    address_space_reg = find_alternative(regs_by_name, layout->address_space_reg);
    thread_pointer_reg = layout->thread_pointer_reg != NULL
                             ? find_alternative(regs_by_name, layout->thread_pointer_reg)
                             : NULL;
    /* At least one map must be complete; a missing 64-bit map is normal
     * for a 32-bit-only target such as qemu-i386. */
    const struct reg_map *usable = map64.complete ? &map64 : &map32;
    for (int role = 0; role < ROLE_COUNT; role++) {
        if (usable->handle[role] == NULL) {
            fprintf(stderr, "backdoor: QEMU target %s has no register %s; cannot decode "
                    "requests\n", target_name, layout->names_abi32[role]);
            exit(1);
        }
    }
    native_map = usable;
    return NULL;
}

void registers_resolve(void)
{
    static GOnce once = G_ONCE_INIT;
    g_once(&once, resolve_once, NULL);
}

const struct reg_map *reg_map_for(bool abi32)
{
    return abi32 ? &map32 : &map64;
}

const struct reg_map *reg_map_native(void)
{
    return native_map;
}

uint64_t reg_read(struct vcpu *vcpu, struct qemu_plugin_register *reg)
{
    GByteArray *buf = vcpu->reg_buf;
    /* Emptied by hand: GByteArray's len is public, and g_byte_array_set_size
     * goes through g_array_remove_range, a third of a read's cost. The
     * capacity stays, so QEMU's append does not allocate either. */
    buf->len = 0;
    /* The size is what QEMU appended: API 6 returns only success. */
    int size = qemu_read_register(reg, buf) ? (int)buf->len : 0;
    if (size == 8) {
        return load_le64(buf->data);
    }
    uint64_t value = 0;
    for (int i = (size > 8 ? 8 : size) - 1; i >= 0; i--) {
        value = value << 8 | buf->data[i];
    }
    return value;
}

bool registers_writable(void)
{
    return qemu_caps.write_registers;
}

bool reg_write(struct vcpu *vcpu, struct qemu_plugin_register *reg, uint64_t value)
{
    if (reg == NULL || !registers_writable()) {
        return false;
    }
    /* reg_buf has room for 64 bytes (vcpu_create): no resize needed. */
    GByteArray *buf = vcpu->reg_buf;
    buf->len = 8;
    store_le64(buf->data, value);
    return qemu_write_register(reg, buf);
}

static struct named_reg *lookup(const char *name)
{
    struct named_reg *reg = name && regs_by_name ? g_hash_table_lookup(regs_by_name, name) : NULL;
    return reg != NULL && reg->size > 0 && reg->size <= 8 ? reg : NULL;
}

bool reg_read_by_name(struct vcpu *vcpu, const char *name, uint64_t *value)
{
    struct named_reg *reg = lookup(name);
    if (reg == NULL) {
        return false;
    }
    *value = reg_read(vcpu, reg->handle);
    return true;
}

bool reg_write_by_name(struct vcpu *vcpu, const char *name, uint64_t value)
{
    struct named_reg *reg = lookup(name);
    return reg != NULL && reg_write(vcpu, reg->handle, value);
}

bool guest_kernel_address(uint64_t vaddr)
{
    return layout->kernel_address(vaddr);
}

uint64_t guest_address_space_of(uint64_t raw)
{
    return layout->address_space != NULL ? layout->address_space(raw) : raw;
}

bool guest_address_space(struct vcpu *vcpu, uint64_t *base)
{
    if (!system_mode || address_space_reg == NULL) {
        return false;
    }
    *base = layout->address_space(reg_read(vcpu, address_space_reg));
    return true;
}

uint64_t guest_thread_pointer(struct vcpu *vcpu)
{
    return thread_pointer_reg != NULL ? reg_read(vcpu, thread_pointer_reg) : 0;
}

/* A switch runs on every thread switch of the guest (and as often as a
 * guest likes): its register's handle is looked up once, not under
 * reg_find's lock each time. */
#define SWITCH_HANDLES 64
static struct qemu_plugin_register *switch_handles[SWITCH_HANDLES];
static bool switch_resolved[SWITCH_HANDLES];

uint64_t guest_switch_register(struct vcpu *vcpu, unsigned int number)
{
    if (number >= layout->n_switch_regs) {
        return 0;
    }
    struct qemu_plugin_register *reg;
    if (number < SWITCH_HANDLES && __atomic_load_n(&switch_resolved[number], __ATOMIC_ACQUIRE)) {
        reg = switch_handles[number];
    } else {
        reg = reg_find(layout->switch_regs[number]);
        if (number < SWITCH_HANDLES) {
            switch_handles[number] = reg;
            __atomic_store_n(&switch_resolved[number], true, __ATOMIC_RELEASE);
        }
    }
    return reg != NULL ? reg_read(vcpu, reg) : 0;
}

/*
 * Lookups by name come from page walks and thread switches, again and
 * again with the same few names: each answer is kept, so the splitting of
 * alternatives happens once per name.
 */
static GHashTable *found_by_alternatives; /* alternatives -> handle or NULL */
static GMutex found_lock;

struct qemu_plugin_register *reg_find(const char *alternatives)
{
    if (regs_by_name == NULL) {
        return NULL;
    }
    g_mutex_lock(&found_lock);
    if (found_by_alternatives == NULL) {
        found_by_alternatives = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    }
    gpointer handle;
    if (!g_hash_table_lookup_extended(found_by_alternatives, alternatives, NULL, &handle)) {
        handle = find_alternative(regs_by_name, alternatives);
        g_hash_table_insert(found_by_alternatives, g_strdup(alternatives), handle);
    }
    g_mutex_unlock(&found_lock);
    return handle;
}

uint64_t guest_pc(struct vcpu *vcpu)
{
    return pc_reg != NULL ? reg_read(vcpu, pc_reg) : 0;
}

int guest_privilege_level(struct vcpu *vcpu)
{
    if (!system_mode) {
        return layout->least_privileged;
    }
    if (privilege_reg == NULL) {
        return -1;
    }
    return layout->privilege_level(reg_read(vcpu, privilege_reg));
}

bool guest_is_user_level(int level)
{
    return level == layout->least_privileged;
}
