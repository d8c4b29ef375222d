/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * State shared by the plugin's parts: the global configuration fixed at
 * install, and the per-vCPU state each call works on. Per-vCPU state lives
 * in a QEMU scoreboard and is looked up afresh in every callback, because
 * the scoreboard moves when vCPUs are added.
 */
#ifndef BACKDOOR_PLUGIN_STATE_H
#define BACKDOOR_PLUGIN_STATE_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "arch.h"
#include "decode.h"
#include "options.h"
#include "qemu_api.h"

/* How a call's request words were obtained (docs/abi.md). */
enum decode_path {
    PATH_TRANSLATION, /* every word known when the code was translated */
    PATH_MIXED,       /* leaf and selector known, arguments read */
    PATH_RUNTIME,     /* read from the registers when the call executed */
    PATH_COUNT
};

struct call_counters {
    uint64_t by_type[5];
    uint64_t seed[2][256];
    uint64_t builtin[OPTIONS_BUILTIN_LIMIT];
    uint64_t by_status[BACKDOOR_STATUS_COUNT];
    uint64_t by_path[PATH_COUNT];
    /* Constant seed calls counted inline, with no callback (main.c); the
     * summary folds them into the counts above. */
    uint64_t seed_inline[2][256];
    uint64_t probes;     /* hypervisor-signature scans (i8 = 0) */
    uint64_t malformed;  /* in the range, but not a valid request */
};

struct event_buffer;
struct roi_vcpu;

struct vcpu_state {
    uint64_t insns;          /* inline-counted guest instructions (ROI) */
    bool ready;
    GByteArray *reg_buf;     /* scratch for register reads and writes */
    GByteArray *mem_buf;     /* scratch for guest memory copies */
    GByteArray *out_buf;     /* what a receive call returns to the guest */
    struct call_counters counters;
    GHashTable *user_commands; /* command -> uint64_t count */
    struct event_buffer *events;
    struct event_buffer *trace;
    struct roi_vcpu *roi;
};

/* Register handles resolved for the role map of one code width. */
struct reg_map {
    struct qemu_plugin_register *handle[ROLE_COUNT];
    bool complete; /* every role found: qemu-i386 has no 64-bit map */
};

struct backdoor {
    qemu_plugin_id_t id;
    struct options opts;
    const struct arch *arch;
    const char *target;
    bool system_mode;
    int api;               /* QEMU's plugin API level */
    bool can_read_memory;  /* API >= 4: send buffers */
    bool can_write_regs;   /* API >= 5: results reach the guest */
    bool can_write_memory; /* API >= 5: receive buffers */
    uint32_t features;     /* BACKDOOR_FEATURE_* */
    bool policy_active;    /* allow-from or deny given: check every call */
    bool reporting_calls;  /* events= or log=on: a record per call */
    struct qemu_plugin_scoreboard *vcpus; /* struct vcpu_state */
    struct reg_map map64, map32;
    const struct reg_map *native_map; /* the complete one; seed requests
                                       * carry no width and need only the
                                       * leaf and selector, in both maps */
    struct qemu_plugin_register *leaf_reg; /* the same in both maps */
    struct qemu_plugin_register *privilege_reg;
    bool regs_resolved;
    GHashTable *regs_by_name; /* name -> handle, for handler services */
    uint64_t start_ns;
    volatile int exit_requested; /* request_exit(): status + 1, 0 if none */
};

extern struct backdoor bd;

/* The services table handed to handler libraries (services.c), filled by
 * services_init() once bd is configured. */
extern struct backdoor_host bd_host;
void services_init(void);

static inline struct vcpu_state *vcpu_state(unsigned int vcpu)
{
    return qemu_plugin_scoreboard_find(bd.vcpus, vcpu);
}

/* Registers the plugin's QEMU callbacks; again after a plugin reset. */
void plugin_register_callbacks(qemu_plugin_id_t id);

/* Monotonic nanoseconds since the plugin was installed. */
uint64_t now_ns(void);

/* Message on stderr, prefixed "backdoor: ". */
void plugin_log(const char *format, ...) G_GNUC_PRINTF(1, 2);

#endif
