/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Translation: finds the magic instructions of each translated block,
 * decodes what the instruction stream already says about their requests,
 * and registers the execution callback given at install only there (or,
 * where nothing but a count can result, an inline counter).
 */
#ifndef BACKDOOR_PLUGIN_TRANSLATE_TRANSLATE_H
#define BACKDOOR_PLUGIN_TRANSLATE_TRANSLATE_H

#include <stdbool.h>

#include "translate/arch.h"
#include "translate/decode.h"
#include "qemu/qemu_api.h"

struct translate_config {
    const struct arch *arch;
    bool handler_loaded;         /* a handler library may take calls */
    bool reporting_calls;        /* events= or log=on: a record per call */
    bool policy_active;          /* allow-from or deny: every call is checked */
    bool policy_reads_registers; /* the check reads the privilege level */
    bool can_write_registers;    /* results reach the guest (API >= 5) */
    /* Every call reads registers beyond its request: which thread and
     * address space made it (system mode, threads followed or calls
     * recorded). */
    bool calls_read_registers;
    /* Count kernel instructions apart: blocks in the upper half of the
     * address space, where x86-64 kernels run (system mode, threads
     * followed). */
    bool count_kernel_apart;
    /* The execution callback of a site; userdata is its struct site. */
    qemu_plugin_vcpu_udata_cb_t on_magic;
    /* Whether a call known whole at translation always gets the same
     * answer and has no other effect (no record, no policy check): then
     * its site gets on_constant instead, with the answer in the site.
     * NULL: none is. */
    bool (*constant_result)(const struct request *rq, uint64_t *result);
    qemu_plugin_vcpu_udata_cb_t on_constant;
    /* Where threads are followed (system mode): the callback of an
     * instruction that switches them; userdata is a struct switch_site.
     * NULL: threads are not followed. */
    qemu_plugin_vcpu_udata_cb_t on_context_switch;
    /* valgrind=on: Valgrind's sequences get on_valgrind, userdata a struct
     * valgrind_site (translate/valgrind.h). */
    bool valgrind;
    qemu_plugin_vcpu_udata_cb_t on_valgrind;
    bool profile; /* profile=: per-function counters (qemu/functions.h) */
    /* profile= with its call graph: calls and returns are followed
     * (translate/call_sites.h, initialised by the caller). */
    bool call_graph;
    /* count-reps=on: repetitions count (translate/repeats.h, initialised by
     * the caller). */
    bool count_repeats;
    /* cpu-identity=valgrind: CPUID and XGETBV answer as under Valgrind
     * (decode/cpu_identity.h, initialised by the caller). */
    bool valgrind_cpu;
    /* toggle-collect=: functions flip the collection (translate/toggle.h,
     * initialised by the caller). */
    bool toggle_collect;
};

/* At install; config is copied. */
void translate_init(const struct translate_config *config);

/* QEMU's translation callback. */
void translate_block(struct qemu_plugin_tb *tb);

/* Whether QEMU translated any code (not under KVM or another
 * accelerator, where the magic instruction never reaches a plugin). */
bool translate_happened(void);

/* Magic instructions translated after the site table was full: decoded
 * entirely at run time (for the summary). */
uint64_t translate_uncached_sites(void);

/* From now on blocks add their length to the vCPU's instruction counter
 * (regions need it); blocks translated before are not changed. */
void translate_count_instructions(void);

/* From now on (after a reset) the instructions that switch guest threads
 * get config.on_context_switch: until a call asks which thread runs,
 * nobody needs to know, and a guest that never calls pays nothing. */
void translate_follow_switches(void);

#endif
