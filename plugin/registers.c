/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Register access. QEMU appends what it reads to a GByteArray in target byte
 * order (little-endian on every target here), so each read starts from an
 * empty per-vCPU buffer and no allocation happens on the call path.
 */
#include "registers.h"

#include <stdlib.h>
#include <string.h>

#include "qemu_compat.h"

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
        map->handle[role] = find_alternative(bd.regs_by_name, names[role]);
        map->complete &= map->handle[role] != NULL;
    }
}

void registers_resolve(void)
{
    if (bd.regs_resolved) {
        return;
    }
    GArray *regs = qemu_plugin_get_registers();
    GByteArray *scratch = g_byte_array_new();
    bd.regs_by_name = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    guint stride = g_array_get_element_size(regs);
    for (guint i = 0; i < regs->len; i++) {
        const qemu_plugin_reg_descriptor *desc =
            (const qemu_plugin_reg_descriptor *)(regs->data + (gsize)i * stride);
        struct named_reg *reg = g_new(struct named_reg, 1);
        g_byte_array_set_size(scratch, 0);
        reg->handle = desc->handle;
        reg->size = qemu_read_register(desc->handle, scratch) ? (int)scratch->len : -1;
        g_hash_table_insert(bd.regs_by_name, g_strdup(desc->name), reg);
    }
    g_byte_array_free(scratch, TRUE);
    g_array_free(regs, TRUE);

    resolve_map(&bd.map64, bd.arch->reg_names);
    resolve_map(&bd.map32, bd.arch->reg_names_abi32);
    bd.privilege_reg = find_alternative(bd.regs_by_name, bd.arch->privilege_reg);
    /* At least one map must be complete; a missing 64-bit map is normal
     * for a 32-bit-only target such as qemu-i386. */
    const struct reg_map *usable = bd.map64.complete ? &bd.map64 : &bd.map32;
    for (int role = 0; role < ROLE_COUNT; role++) {
        if (usable->handle[role] == NULL) {
            plugin_log("QEMU target %s has no register %s; cannot decode requests",
                       bd.target, bd.arch->reg_names_abi32[role]);
            exit(1);
        }
    }
    bd.native_map = usable;
    bd.leaf_reg = usable->handle[ROLE_LEAF];
    bd.regs_resolved = true;
}

uint64_t reg_read(struct vcpu_state *vs, struct qemu_plugin_register *reg)
{
    GByteArray *buf = vs->reg_buf;
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

bool reg_write(struct vcpu_state *vs, struct qemu_plugin_register *reg,
               uint64_t value)
{
    if (!bd.can_write_regs || reg == NULL) {
        return false;
    }
    /* reg_buf has room for 64 bytes (vcpu_init): no resize needed. */
    GByteArray *buf = vs->reg_buf;
    buf->len = 8;
    store_le64(buf->data, value);
    return qemu_write_register(reg, buf);
}

static struct named_reg *lookup(const char *name)
{
    struct named_reg *reg = name ? g_hash_table_lookup(bd.regs_by_name, name) : NULL;
    return reg != NULL && reg->size > 0 && reg->size <= 8 ? reg : NULL;
}

bool reg_read_by_name(struct vcpu_state *vs, const char *name, uint64_t *value)
{
    struct named_reg *reg = lookup(name);
    if (reg == NULL) {
        return false;
    }
    *value = reg_read(vs, reg->handle);
    return true;
}

bool reg_write_by_name(struct vcpu_state *vs, const char *name, uint64_t value)
{
    struct named_reg *reg = lookup(name);
    return reg != NULL && reg_write(vs, reg->handle, value);
}
