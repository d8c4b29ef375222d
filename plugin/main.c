/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * backdoor: a guest-initiated command channel for QEMU TCG.
 *
 * The guest executes one magic instruction (on x86, CPUID with a leaf in
 * 0x40001000..0x40001fff); this plugin instruments exactly those
 * instructions when code is translated, decodes the request, checks policy,
 * and runs a built-in command or the user's handler library. See README.md
 * and docs/abi.md.
 *
 * One build serves every QEMU from 9.0 to 11.1 (plugin API 2 to 7):
 * qemu_compat.c declares the level of the QEMU that opened it and speaks
 * that level's shapes; features of later levels (memory reads, results,
 * receive buffers) are used where the running QEMU has them.
 */
#include <glib.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "builtins.h"
#include "dispatch.h"
#include "handler.h"
#include "policy.h"
#include "qemu_compat.h"
#include "registers.h"
#include "report.h"
#include "roi.h"
#include "signals.h"
#include "site.h"
#include "state.h"

struct backdoor bd;

/* Sites with the same content share one descriptor, so retranslating the
 * same code does not grow memory. */
static GHashTable *sites;
static GMutex sites_lock;

static uint64_t monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t now_ns(void)
{
    return monotonic_ns() - bd.start_ns;
}

void plugin_log(const char *format, ...)
{
    char line[1200];
    va_list args;
    va_start(args, format);
    vsnprintf(line, sizeof line, format, args);
    va_end(args);
    fprintf(stderr, "backdoor: %s\n", line);
}

static guint site_hash(gconstpointer key)
{
    const struct site *s = key;
    guint h = (guint)(s->pc ^ (s->pc >> 32));
    h = h * 31 + s->tb_insns * 7 + s->tb_index;
    h = h * 31 + (guint)s->rq.command + s->args_known;
    return h;
}

static gboolean site_equal(gconstpointer a, gconstpointer b)
{
    /* Sites are zeroed before being filled, so padding compares equal. */
    return memcmp(a, b, sizeof(struct site)) == 0;
}

/*
 * Code that rewrites its own immediates forever would otherwise add a site
 * per rewrite; past this many, sites keep only their place and decode at run
 * time, so memory grows with the number of magic instructions, not of
 * retranslations.
 */
#define MAX_PREDECODED_SITES (1u << 20)

static const struct site *site_intern(struct site *candidate)
{
    g_mutex_lock(&sites_lock);
    if (g_hash_table_size(sites) >= MAX_PREDECODED_SITES) {
        candidate->leaf_known = candidate->selector_known = false;
        candidate->args_known = 0;
        memset(&candidate->rq, 0, sizeof candidate->rq);
    }
    struct site *site = g_hash_table_lookup(sites, candidate);
    if (site == NULL) {
        site = g_memdup2(candidate, sizeof *candidate);
        g_hash_table_add(sites, site);
    }
    g_mutex_unlock(&sites_lock);
    return site;
}

/*
 * Register access the site's callback needs. It reads registers unless
 * translation knew the whole request; it writes them to return a result; and
 * a call that may reach the handler gets both, for the register services.
 */
static enum qemu_plugin_cb_flags site_flags(const struct site *site)
{
    const struct request *rq = &site->rq;
    bool seed = rq->type == BACKDOOR_CALL_I8 || rq->type == BACKDOOR_CALL_I8_V32;
    bool command_known = site->leaf_known && (seed || site->selector_known);
    const struct builtin *builtin =
        command_known && !seed ? builtin_lookup(rq->command) : NULL;
    bool reaches_handler = handler_loaded() && (!command_known || (builtin == NULL &&
                           (seed || rq->command >= BACKDOOR_USER_COMMAND_FIRST)));
    bool returns = !command_known || (!seed && (builtin == NULL || builtin->returns_result));
    bool reads = !site_fully_known(site) || policy_reads_registers() || reaches_handler;

    if (bd.can_write_regs && (returns || reaches_handler)) {
        return QEMU_PLUGIN_CB_RW_REGS;
    }
    return reads ? QEMU_PLUGIN_CB_R_REGS : QEMU_PLUGIN_CB_NO_REGS;
}

/* Constant loads immediately before instruction index in the block. */
static void scan_constants(struct qemu_plugin_tb *tb, size_t index,
                           struct constant_regs *consts)
{
    consts->known = 0;
    for (size_t i = index; i-- > 0;) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        uint8_t bytes[ARCH_MAX_INSN_BYTES];
        size_t len = qemu_insn_bytes(insn, bytes, sizeof bytes);
        if (len == 0) {
            return;
        }
        uint64_t value;
        int regno = bd.arch->constant_load(bytes, len, &value);
        if (regno < 0 || regno >= 64) {
            return;
        }
        /* The load nearest the magic instruction wins. */
        if (!(consts->known >> regno & 1)) {
            consts->known |= 1ull << regno;
            consts->value[regno] = value;
        }
    }
}

/*
 * A constant that is no valid request gets no callback, only an inline
 * count of the vcpu_state field at offset, so the summary matches what the
 * run-time path would have counted.
 */
static void count_inline(struct qemu_plugin_insn *insn, size_t offset)
{
    qemu_plugin_u64 counter = {bd.vcpus, offset};
    qemu_plugin_register_vcpu_insn_exec_inline_per_vcpu(insn, QEMU_PLUGIN_INLINE_ADD_U64,
                                                        counter, 1);
}

/*
 * A constant seed call with no handler to receive it and no per-call output
 * has one observable effect, the counts in the summary. Inline counters make
 * exactly those, without a callback: such calls cost next to nothing.
 */
static bool counted_only(const struct site *site)
{
    bool seed = site->rq.type == BACKDOOR_CALL_I8 || site->rq.type == BACKDOOR_CALL_I8_V32;
    return site->leaf_known && seed && site_fully_known(site) && !handler_loaded() &&
           !bd.reporting_calls && !bd.policy_active;
}

/* One inline add per call; summary.c derives the other counts dispatch
 * would have made (type, decode path, status) from it. */
static void count_seed_call_inline(struct qemu_plugin_insn *insn, const struct site *site)
{
    const struct request *rq = &site->rq;
    count_inline(insn, offsetof(struct vcpu_state, counters) +
                           offsetof(struct call_counters, seed_inline) +
                           (rq->type * 256 + rq->command) * sizeof(uint64_t));
}

static void vcpu_tb_trans(struct qemu_plugin_tb *tb)
{
    size_t n = qemu_plugin_tb_n_insns(tb);
    if (roi_counting()) {
        qemu_plugin_register_vcpu_tb_exec_inline_per_vcpu(
            tb, QEMU_PLUGIN_INLINE_ADD_U64,
            qemu_plugin_scoreboard_u64_in_struct(bd.vcpus, struct vcpu_state, insns),
            n);
    }
    for (size_t i = 0; i < n; i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        uint8_t bytes[ARCH_MAX_INSN_BYTES];
        size_t len = qemu_insn_bytes(insn, bytes, sizeof bytes);
        if (len == 0 || !bd.arch->is_magic(bytes, len)) {
            continue;
        }
        struct site site;
        memset(&site, 0, sizeof site);
        site.pc = qemu_plugin_insn_vaddr(insn);
        site.tb_insns = (uint32_t)n;
        site.tb_index = (uint32_t)i;
        struct constant_regs consts;
        scan_constants(tb, i, &consts);
        switch (site_predecode(&site, &consts, bd.arch->regno, bd.arch->regno_abi32)) {
        case DECODE_OK:
            break;
        case DECODE_NOT_OURS:
            continue;
        case DECODE_PROBE:
            count_inline(insn, offsetof(struct vcpu_state, counters.probes));
            continue;
        case DECODE_MALFORMED:
            count_inline(insn, offsetof(struct vcpu_state, counters.malformed));
            continue;
        }
        if (counted_only(&site)) {
            count_seed_call_inline(insn, &site);
            continue;
        }
        const struct site *shared = site_intern(&site);
        qemu_plugin_register_vcpu_insn_exec_cb(insn, on_magic, site_flags(shared),
                                               (void *)shared);
    }
}

static void vcpu_init(unsigned int vcpu)
{
    registers_resolve();
    struct vcpu_state *vs = vcpu_state(vcpu);
    if (vs->ready) {
        return;
    }
    vs->reg_buf = g_byte_array_sized_new(64);
    vs->mem_buf = g_byte_array_sized_new(4096);
    vs->out_buf = g_byte_array_sized_new(64);
    report_vcpu_init(vs, vcpu);
    roi_vcpu_init(vs);
    vs->ready = true;
}

static void plugin_exit(void)
{
    report_finish("end of emulation", -1);
}

void plugin_register_callbacks(qemu_plugin_id_t id)
{
    qemu_register_vcpu_init(id, vcpu_init);
    qemu_register_tb_trans(id, vcpu_tb_trans);
    qemu_register_atexit(id, plugin_exit);
}

static void describe_degradation(void)
{
    if (!bd.can_read_memory) {
        plugin_log("QEMU plugin API %d cannot read guest memory (needs API 4, "
                   "QEMU >= 9.2): send buffers are off too", bd.api);
    }
    if (bd.can_write_regs && bd.can_write_memory) {
        return;
    }
    plugin_log("QEMU plugin API %d cannot write guest registers or memory "
               "(needs API 5, QEMU >= 10.1): results, backdoor_present() and "
               "receive buffers are off; calls%s work", bd.api,
               bd.can_read_memory ? ", arguments and send buffers" : " and arguments");
}

QEMU_EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
                                           const qemu_info_t *info, int argc,
                                           char **argv)
{
    char err[1024];
    bd.id = id;
    bd.start_ns = monotonic_ns();
    bd.target = g_strdup(info->target_name);
    bd.system_mode = info->system_emulation;
    if (!qemu_compat_init(info, err, sizeof err)) {
        plugin_log("%s", err);
        return -1;
    }
    bd.api = qemu_api_level();
    if (!options_parse(&bd.opts, argc, argv, err, sizeof err)) {
        plugin_log("%s", err);
        return -1;
    }
    bd.arch = arch_for_target(info->target_name);
    if (bd.arch == NULL) {
        plugin_log("QEMU target '%s' is not supported (supported: %s)",
                   info->target_name, arch_supported_targets());
        return -1;
    }
    bd.can_read_memory = bd.api >= 4 && qemu_plugin_read_memory_vaddr != NULL;
    bd.can_write_regs = bd.api >= 5 && qemu_plugin_write_register != NULL;
    bd.can_write_memory = bd.api >= 5 && qemu_plugin_write_memory_vaddr != NULL;
    bd.features = (bd.can_read_memory ? BACKDOOR_FEATURE_MEM_READ : 0) |
                  (bd.can_write_regs ? BACKDOOR_FEATURE_RESULTS : 0) |
                  (bd.can_write_memory ? BACKDOOR_FEATURE_MEM_WRITE : 0) |
                  (bd.opts.handler_path ? BACKDOOR_FEATURE_HANDLER : 0) |
                  (bd.system_mode ? BACKDOOR_FEATURE_SYSTEM : 0);
    bd.policy_active = bd.opts.allow_from != ALLOW_FROM_ANY;
    for (unsigned i = 0; i < OPTIONS_BUILTIN_LIMIT; i++) {
        bd.policy_active |= bd.opts.denied[i];
    }
    bd.reporting_calls = bd.opts.events_path != NULL || bd.opts.log_calls;
    services_init();
    if (!report_open(err, sizeof err) ||
        (!bd.system_mode && !signals_install(err, sizeof err))) {
        plugin_log("%s", err);
        return -1;
    }
    if (bd.opts.handler_path != NULL &&
        !handler_load(bd.opts.handler_path, bd.opts.handler_argc,
                      bd.opts.handler_argv, &bd_host, err, sizeof err)) {
        plugin_log("%s", err);
        return -1;
    }
    describe_degradation();

    bd.vcpus = qemu_plugin_scoreboard_new(sizeof(struct vcpu_state));
    sites = g_hash_table_new(site_hash, site_equal);
    plugin_register_callbacks(id);
    return 0;
}
