/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One interface over every QEMU plugin API level this build speaks
 * (qemu_version.h): callbacks without the plugin id or userdata, register
 * access that returns bool. The rest of the plugin calls these instead of
 * the QEMU functions whose shape changed between levels.
 */
#ifndef BACKDOOR_PLUGIN_QEMU_COMPAT_H
#define BACKDOOR_PLUGIN_QEMU_COMPAT_H

#include "qemu/qemu_api.h"

/*
 * Checks the level QEMU reports at install against the one declared when
 * the plugin was opened, and fixes the shapes used from now on. False, with
 * a message in err, for a QEMU this build cannot use.
 */
bool qemu_compat_init(const qemu_info_t *info, char *err, size_t err_size);

/* The running QEMU's plugin API level (after qemu_compat_init). */
int qemu_api_level(void);

/* What the running QEMU can do for the plugin; set by qemu_compat_init,
 * read-only afterwards. */
struct qemu_caps {
    bool read_memory;     /* API 4: send buffers, memory reads */
    bool write_registers; /* API 5: results */
    bool write_memory;    /* API 5: receive buffers */
    bool physical_memory; /* API 5: translate and access guest-physical
                           * addresses (page walks, system-mode buffers) */
    bool conditional_callbacks; /* API 3: block callbacks run only while
                                 * a counter says so (count-reps) */
    bool host_addresses; /* an instruction's host address (user mode: where
                          * QEMU mapped the guest's files, qemu/symbols.c) */
    bool inline_store;   /* API 3: an inline operation that stores a value
                          * (QEMU_PLUGIN_INLINE_STORE_U64) */
};
extern struct qemu_caps qemu_caps;

void qemu_register_vcpu_init(qemu_plugin_id_t id, void (*cb)(unsigned int vcpu));
void qemu_register_tb_trans(qemu_plugin_id_t id, void (*cb)(struct qemu_plugin_tb *tb));
void qemu_register_atexit(qemu_plugin_id_t id, void (*cb)(void));
/* Drops every callback; done runs once QEMU has done so. */
void qemu_reset(qemu_plugin_id_t id, void (*done)(void));

/* Copies the instruction's bytes; 0 if it is longer than cap. */
size_t qemu_insn_bytes(const struct qemu_plugin_insn *insn, uint8_t *buf, size_t cap);

/*
 * Register access returned a size (or -1) until API 5 and returns bool from
 * API 6. qemu_compat_init sets the pair of the running level, the other
 * stays NULL; the choice is made inline because a call reads registers on
 * every request.
 */
typedef int (*qemu_reg_int_fn)(struct qemu_plugin_register *reg, GByteArray *buf);
typedef bool (*qemu_reg_bool_fn)(struct qemu_plugin_register *reg, GByteArray *buf);
extern struct qemu_register_access {
    qemu_reg_int_fn read_int, write_int;
    qemu_reg_bool_fn read_bool, write_bool;
} qemu_registers;

/* Appends the register's bytes (target order) to buf; false on failure. */
static inline bool qemu_read_register(struct qemu_plugin_register *reg, GByteArray *buf)
{
    return qemu_registers.read_bool != NULL ? qemu_registers.read_bool(reg, buf)
                                            : qemu_registers.read_int(reg, buf) > 0;
}

/* Writes buf to the register (API 5 and later); false on failure. */
static inline bool qemu_write_register(struct qemu_plugin_register *reg, GByteArray *buf)
{
    if (qemu_registers.write_bool != NULL) {
        return qemu_registers.write_bool(reg, buf);
    }
    return qemu_registers.write_int != NULL && qemu_registers.write_int(reg, buf) > 0;
}

#endif
