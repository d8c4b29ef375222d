/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The part of QEMU's TCG plugin interface this plugin uses, declared here so
 * that one build serves every QEMU from 9.0 (plugin API 2) to 11.1 (API 7)
 * without any QEMU header: Debian ships none, and each QEMU's header
 * describes only its own API level. docs/qemu-versions.md has the table.
 *
 * Every function is a weak reference. QEMU resolves them from its own
 * executable when it opens the plugin; one that this QEMU lacks is NULL
 * instead of a load failure, so the plugin can name the problem itself
 * (qemu_compat.c) rather than leave the user with a dynamic linker error.
 *
 * Functions whose shape changed between API levels are declared without
 * parameters, as void (void): only qemu_compat.c calls them, each through a
 * pointer of the shape the running QEMU has.
 */
#ifndef BACKDOOR_PLUGIN_QEMU_API_H
#define BACKDOOR_PLUGIN_QEMU_API_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define QEMU_WEAK __attribute__((weak))
#define QEMU_EXPORT __attribute__((visibility("default")))

typedef uint64_t qemu_plugin_id_t;

/* What QEMU tells qemu_plugin_install (the same layout at every level). */
typedef struct {
    const char *target_name;
    struct {
        int min;
        int cur;
    } version;
    bool system_emulation;
    union {
        struct {
            int smp_vcpus;
            int max_vcpus;
        } system;
    };
} qemu_info_t;

struct qemu_plugin_tb;
struct qemu_plugin_insn;
struct qemu_plugin_scoreboard;
struct qemu_plugin_register;

/* One uint64_t field of every entry of a scoreboard, for inline operations. */
typedef struct {
    struct qemu_plugin_scoreboard *score;
    size_t offset;
} qemu_plugin_u64;

#define qemu_plugin_scoreboard_u64_in_struct(score, type, member) \
    ((qemu_plugin_u64){(score), offsetof(type, member)})

enum qemu_plugin_cb_flags {
    QEMU_PLUGIN_CB_NO_REGS,
    QEMU_PLUGIN_CB_R_REGS,
    QEMU_PLUGIN_CB_RW_REGS,
};

enum qemu_plugin_op {
    QEMU_PLUGIN_INLINE_ADD_U64,
    QEMU_PLUGIN_INLINE_STORE_U64,
};

enum qemu_plugin_cond {
    QEMU_PLUGIN_COND_NEVER,
    QEMU_PLUGIN_COND_ALWAYS,
    QEMU_PLUGIN_COND_EQ,
    QEMU_PLUGIN_COND_NE,
};

/* The leading fields of a register description; API 5 appended a field, so
 * walk qemu_plugin_get_registers() by the array's own element size. */
typedef struct {
    struct qemu_plugin_register *handle;
    const char *name;
    const char *feature;
} qemu_plugin_reg_descriptor;

/* The instruction callback has had this shape at every level. */
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index, void *userdata);

/* Stable from API 2 on. */
QEMU_WEAK size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
QEMU_WEAK uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);
QEMU_WEAK struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb,
                                                           size_t index);
QEMU_WEAK size_t qemu_plugin_insn_size(const struct qemu_plugin_insn *insn);
QEMU_WEAK uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn *insn);
/* The host address of the instruction's bytes (user mode: the guest
 * address plus QEMU's guest base). */
QEMU_WEAK void *qemu_plugin_insn_haddr(const struct qemu_plugin_insn *insn);
QEMU_WEAK void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *insn,
                                                      qemu_plugin_vcpu_udata_cb_t cb,
                                                      enum qemu_plugin_cb_flags flags,
                                                      void *userdata);
QEMU_WEAK void qemu_plugin_register_vcpu_insn_exec_inline_per_vcpu(
    struct qemu_plugin_insn *insn, enum qemu_plugin_op op, qemu_plugin_u64 entry,
    uint64_t imm);
QEMU_WEAK void qemu_plugin_register_vcpu_tb_exec_inline_per_vcpu(
    struct qemu_plugin_tb *tb, enum qemu_plugin_op op, qemu_plugin_u64 entry, uint64_t imm);
/* Calls cb when the block starts if entry cond imm holds (API 2 on). */
QEMU_WEAK void qemu_plugin_register_vcpu_tb_exec_cond_cb(
    struct qemu_plugin_tb *tb, qemu_plugin_vcpu_udata_cb_t cb, enum qemu_plugin_cb_flags flags,
    enum qemu_plugin_cond cond, qemu_plugin_u64 entry, uint64_t imm, void *userdata);
/* Calls cb before the instruction if entry cond imm holds (API 2 on). */
QEMU_WEAK void qemu_plugin_register_vcpu_insn_exec_cond_cb(
    struct qemu_plugin_insn *insn, qemu_plugin_vcpu_udata_cb_t cb,
    enum qemu_plugin_cb_flags flags, enum qemu_plugin_cond cond, qemu_plugin_u64 entry,
    uint64_t imm, void *userdata);
QEMU_WEAK struct qemu_plugin_scoreboard *qemu_plugin_scoreboard_new(size_t element_size);
QEMU_WEAK void *qemu_plugin_scoreboard_find(struct qemu_plugin_scoreboard *score,
                                            unsigned int vcpu_index);
QEMU_WEAK GArray *qemu_plugin_get_registers(void);
QEMU_WEAK int qemu_plugin_num_vcpus(void);
/* The name of the symbol holding the instruction, or NULL (API 1 on). */
QEMU_WEAK const char *qemu_plugin_insn_symbol(const struct qemu_plugin_insn *insn);

/* API 4 (QEMU 9.2). */
QEMU_WEAK bool qemu_plugin_read_memory_vaddr(uint64_t addr, GByteArray *data, size_t len);
/* API 5 (QEMU 10.1). The hwaddr accesses return 0 on success; they are
 * ordinary accesses, as the guest's own loads and stores (ROM ignores a
 * write, a device sees it), where the vaddr ones have a debugger's rights. */
QEMU_WEAK bool qemu_plugin_write_memory_vaddr(uint64_t addr, GByteArray *data);
QEMU_WEAK int qemu_plugin_read_memory_hwaddr(uint64_t addr, GByteArray *data, size_t len);
QEMU_WEAK int qemu_plugin_write_memory_hwaddr(uint64_t addr, GByteArray *data);
QEMU_WEAK bool qemu_plugin_translate_vaddr(uint64_t vaddr, uint64_t *hwaddr);
/* API 6 (QEMU 11.0); only its presence is used, to tell the level. */
QEMU_WEAK void qemu_plugin_set_pc(uint64_t vaddr);

/*
 * Shapes that changed (qemu_compat.c):
 *   register_vcpu_init_cb, register_vcpu_tb_trans_cb, register_atexit_cb,
 *   reset: API 7 adds userdata to the registration and to the callback,
 *     and the callbacks lose the plugin id;
 *   read_register, write_register: int until API 5, bool from API 6;
 *   insn_data: returned a pointer until API 2, copies from API 3.
 */
QEMU_WEAK void qemu_plugin_register_vcpu_init_cb(void);
QEMU_WEAK void qemu_plugin_register_vcpu_tb_trans_cb(void);
QEMU_WEAK void qemu_plugin_register_atexit_cb(void);
QEMU_WEAK void qemu_plugin_reset(void);
QEMU_WEAK void qemu_plugin_read_register(void);
QEMU_WEAK void qemu_plugin_write_register(void);
QEMU_WEAK void qemu_plugin_insn_data(void);

#endif
