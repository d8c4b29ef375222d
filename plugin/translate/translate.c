/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Translation (translate/translate.h). Sites with the same content share one
 * descriptor, so retranslating the same code does not grow memory.
 */
#include "translate/translate.h"

#include <stddef.h>
#include <string.h>

#include "translate/call_sites.h"
#include "translate/cpu_identity.h"
#include "translate/direct_branch.h"
#include "translate/repeats.h"
#include "translate/site.h"
#include "translate/toggle.h"
#include "translate/valgrind.h"
#include "qemu/functions.h"
#include "qemu/qemu_compat.h"
#include "qemu/registers.h"
#include "qemu/vcpu.h"

static struct translate_config config;
static GHashTable *sites;
/* Switch sites by content: at most 3 kinds x 16 registers x (block length,
 * index) pairs, however much code is translated. */
static GHashTable *switch_sites;
static GMutex sites_lock;
static int counting_instructions;
static int following_switches;
static bool translated_any;

/* What the ABI's list says of a built-in command (backdoor/ops.h). */
static bool op_exists(uint32_t command)
{
    switch (command) {
#define OP_CASE(NAME, name, number, type, nargs, result, doc) case number:
        BACKDOOR_OPS(OP_CASE)
#undef OP_CASE
        return true;
    }
    return false;
}

/* Whether the call writes the guest's result register: a built-in with a
 * result, or one issued with another type or argument count than its own
 * (it gets BACKDOOR_EINVAL). */
static bool op_returns_result(const struct request *rq)
{
    switch (rq->command) {
#define OP_RESULT(NAME, name, number, its_type, its_nargs, result, doc)                  \
    case number:                                                                        \
        return result || rq->type != BACKDOOR_CALL_##its_type || rq->nargs != (its_nargs);
        BACKDOOR_OPS(OP_RESULT)
#undef OP_RESULT
    }
    return true;
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
 * A site per distinct magic instruction: code that keeps rewriting its
 * immediates, or that issues CPUID with a run-time leaf from ever new
 * addresses (a JIT), would grow the table forever.
 */
#define MAX_SITES (1u << 16)

static uint64_t uncached_sites;

static const struct site *site_intern(struct site *candidate)
{
    g_mutex_lock(&sites_lock);
    if (g_hash_table_size(sites) >= MAX_SITES) {
        uint32_t tb_insns = candidate->tb_insns, tb_index = candidate->tb_index;
        /* Past the bound a site keeps only its place in its block, so at
         * most one per (block length, index) is ever added: memory stays
         * bounded for any guest. Its call decodes everything, the address
         * included, at run time. */
        uncached_sites++;
        memset(candidate, 0, sizeof *candidate);
        candidate->pc = SITE_PC_UNKNOWN;
        candidate->tb_insns = tb_insns;
        candidate->tb_index = tb_index;
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
    bool builtin = command_known && !seed && op_exists(rq->command);
    bool reaches_handler = config.handler_loaded && (!command_known || (!builtin &&
                           (seed || rq->command >= BACKDOOR_USER_COMMAND_FIRST)));
    /* A refused call gets BACKDOOR_EPERM, a built-in without a result too. */
    bool returns = !command_known || (!seed && (!builtin || op_returns_result(rq) ||
                                                config.policy_active));
    bool reads = !site_fully_known(site) || config.policy_reads_registers ||
                 reaches_handler || config.calls_read_registers;

    if (config.can_write_registers && (returns || reaches_handler)) {
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
        int regno = config.arch->constant_load(bytes, len, &value);
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
 * count of the vcpu_counters field at offset, so the summary matches what the
 * run-time path would have counted.
 */
static void count_inline(struct qemu_plugin_insn *insn, size_t offset)
{
    qemu_plugin_register_vcpu_insn_exec_inline_per_vcpu(insn, QEMU_PLUGIN_INLINE_ADD_U64,
                                                        vcpu_counter(offset), 1);
}

/*
 * A constant seed call with no handler to receive it and no per-call output
 * has one observable effect, the counts in the summary. Inline counters make
 * exactly those, without a callback: such calls cost next to nothing.
 */
static bool counted_only(const struct site *site)
{
    bool seed = site->rq.type == BACKDOOR_CALL_I8 || site->rq.type == BACKDOOR_CALL_I8_V32;
    return site->leaf_known && seed && site_fully_known(site) && !config.handler_loaded &&
           !config.reporting_calls && !config.policy_active;
}

/* One inline add per call; dispatch derives the other counts it would have
 * made (type, decode path, status) from it when it sums the counters. */
static void count_seed_call_inline(struct qemu_plugin_insn *insn, const struct site *site)
{
    const struct request *rq = &site->rq;
    count_inline(insn, offsetof(struct vcpu_counters, seed_calls) +
                           (rq->type * 256 + rq->command) * sizeof(uint64_t));
}

/*
 * A block ending in a direct call or jump to a PLT stub charges the stub's
 * instructions to its own function, as Callgrind does, and takes them off
 * the stub's slot, which so keeps only stubs entered another way.
 */
static void charge_plt_to_caller(struct qemu_plugin_tb *tb, size_t n, uint32_t caller)
{
    struct qemu_plugin_insn *last = qemu_plugin_tb_get_insn(tb, n - 1);
    uint8_t bytes[ARCH_MAX_INSN_BYTES];
    size_t len = qemu_insn_bytes(last, bytes, sizeof bytes);
    uint64_t target;
    uint32_t stub, stub_insns;
    if (len == 0 ||
        !direct_branch_target(config.arch, bytes, len, qemu_plugin_insn_vaddr(last), &target) ||
        !function_plt_stub(target, &stub, &stub_insns) || stub == caller) {
        return;
    }
    /* On the branch itself, not the block's start: a Valgrind request
     * earlier in the block that closes the collection must leave both out. */
    qemu_plugin_register_vcpu_insn_exec_inline_per_vcpu(last, QEMU_PLUGIN_INLINE_ADD_U64,
                                                        function_counter(caller), stub_insns);
    qemu_plugin_register_vcpu_insn_exec_inline_per_vcpu(
        last, QEMU_PLUGIN_INLINE_ADD_U64, function_counter(stub), -(uint64_t)stub_insns);
    if (qemu_caps.inline_store) {
        qemu_plugin_register_vcpu_insn_exec_inline_per_vcpu(
            last, QEMU_PLUGIN_INLINE_STORE_U64, function_plt_caller(), caller);
    }
}

static void on_lazy_plt(unsigned int vcpu_index, void *udata)
{
    uint64_t packed = (uint64_t)(uintptr_t)udata;
    function_charge_plt_caller(vcpu_index, (uint32_t)(packed >> 32), packed & 0xffffffffu);
}

/* A PLT block that is not a stub's entry: lazy binding's path
 * (qemu/functions.h), rare, so a callback. */
static void charge_lazy_plt(struct qemu_plugin_tb *tb, size_t n, const uint32_t *slots)
{
    uint32_t stub, stub_insns;
    if (!function_place(slots[0])->plt || !qemu_caps.inline_store ||
        function_plt_stub(qemu_plugin_tb_vaddr(tb), &stub, &stub_insns)) {
        return;
    }
    uint64_t packed = (uint64_t)slots[0] << 32 | n;
    qemu_plugin_register_vcpu_insn_exec_cb(qemu_plugin_tb_get_insn(tb, 0), on_lazy_plt,
                                           QEMU_PLUGIN_CB_NO_REGS, (void *)(uintptr_t)packed);
}

/*
 * profile=: each run of instructions of one place (function and source
 * line, qemu/functions.h) adds its length to that place's counter when
 * the block starts, like the instruction counter. function_slots gives
 * every instruction's slot (caller frees).
 */
static uint32_t *function_slots(struct qemu_plugin_tb *tb, size_t n)
{
    uint32_t *slots = g_new(uint32_t, n);
    uint64_t block_start = qemu_plugin_tb_vaddr(tb);
    for (size_t i = 0; i < n; i++) {
        slots[i] = function_slot(qemu_plugin_tb_get_insn(tb, i), block_start);
    }
    /* A request's corrections (commands/valgrind.c) act on the marker's
     * slot: the block's instructions of its function count on its line. */
    long marker = valgrind_first_marker(tb, n, config.arch);
    if (marker >= 0) {
        const struct code_place *at = function_place(slots[marker]);
        for (size_t i = 0; i < n; i++) {
            const struct code_place *p = function_place(slots[i]);
            if (p->function == at->function && p->object == at->object) {
                slots[i] = slots[marker];
            }
        }
    }
    return slots;
}

static void count_functions(struct qemu_plugin_tb *tb, size_t n, const uint32_t *slots)
{
    for (size_t start = 0, i = 1; i <= n; i++) {
        if (i == n || slots[i] != slots[start]) {
            qemu_plugin_register_vcpu_tb_exec_inline_per_vcpu(
                tb, QEMU_PLUGIN_INLINE_ADD_U64, function_counter(slots[start]), i - start);
            start = i;
        }
    }
    charge_plt_to_caller(tb, n, slots[n - 1]);
    charge_lazy_plt(tb, n, slots);
}

static guint switch_hash(gconstpointer key)
{
    const struct switch_site *s = key;
    return (guint)s->kind * 7919u + s->gpr * 131u + s->tb_insns * 31u + s->tb_index;
}

static gboolean switch_equal(gconstpointer a, gconstpointer b)
{
    const struct switch_site *x = a, *y = b;
    return x->kind == y->kind && x->gpr == y->gpr && x->tb_insns == y->tb_insns &&
           x->tb_index == y->tb_index;
}

/* An instruction that switches guest threads gets a callback that reads
 * the new value; switches are rare, so nothing else pays. */
static void follow_switch(struct qemu_plugin_insn *insn, const uint8_t *bytes, size_t len,
                          size_t n, size_t i)
{
    struct switch_site site;
    memset(&site, 0, sizeof site);
    if (config.arch->context_switch == NULL ||
        !config.arch->context_switch(bytes, len, &site)) {
        return;
    }
    /* A kernel's own ecall (RISC-V's SBI) or svc is no thread's end. */
    if (site.kind == SWITCH_SYSCALL && guest_kernel_address(qemu_plugin_insn_vaddr(insn))) {
        return;
    }
    site.tb_insns = (uint32_t)n;
    site.tb_index = (uint32_t)i;
    g_mutex_lock(&sites_lock);
    struct switch_site *shared = g_hash_table_lookup(switch_sites, &site);
    if (shared == NULL) {
        shared = g_memdup2(&site, sizeof site);
        g_hash_table_add(switch_sites, shared);
    }
    g_mutex_unlock(&sites_lock);
    qemu_plugin_register_vcpu_insn_exec_cb(insn, config.on_context_switch,
                                           QEMU_PLUGIN_CB_R_REGS, shared);
}

void translate_block(struct qemu_plugin_tb *tb)
{
    __atomic_store_n(&translated_any, true, __ATOMIC_RELAXED);
    size_t n = qemu_plugin_tb_n_insns(tb);
    bool counting = __atomic_load_n(&counting_instructions, __ATOMIC_ACQUIRE);
    bool following = config.on_context_switch != NULL &&
                     __atomic_load_n(&following_switches, __ATOMIC_ACQUIRE);
    uint32_t *slots = config.valgrind && config.profile && n > 0 ? function_slots(tb, n) : NULL;
    bool call_graph = slots != NULL && config.call_graph;
    if (call_graph) {
        /* First, so that the callee's entry sees the counters before its
         * own block is added. */
        call_sites_block_start(tb, slots[0]);
    }
    if (counting) {
        qemu_plugin_register_vcpu_tb_exec_inline_per_vcpu(
            tb, QEMU_PLUGIN_INLINE_ADD_U64, vcpu_counter(offsetof(struct vcpu_counters, insns)),
            n);
        if (config.count_kernel_apart && guest_kernel_address(qemu_plugin_tb_vaddr(tb))) {
            qemu_plugin_register_vcpu_tb_exec_inline_per_vcpu(
                tb, QEMU_PLUGIN_INLINE_ADD_U64,
                vcpu_counter(offsetof(struct vcpu_counters, insns_kernel)), n);
        }
    }
    if (slots != NULL) {
        count_functions(tb, n, slots);
    }
    if (config.valgrind && n > 0) {
        valgrind_scan_block(tb, n, config.arch, slots, config.on_valgrind);
    }
    bool count_repeats = counting && config.count_repeats;
    if (count_repeats) {
        repeats_block(tb);
    }
    if (config.valgrind_cpu && n > 0) {
        cpu_identity_block(tb);
    }
    if (config.toggle_collect) {
        toggle_block(tb, n, slots);
    }
    for (size_t i = 0; i < n; i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        uint8_t bytes[ARCH_MAX_INSN_BYTES];
        size_t len = qemu_insn_bytes(insn, bytes, sizeof bytes);
        if (len != 0 && following) {
            follow_switch(insn, bytes, len, n, i);
        }
        if (len != 0 && call_graph) {
            call_sites_insn(insn, bytes, len, slots[i]);
        }
        if (len != 0 && count_repeats) {
            repeats_insn(insn, i + 1 < n ? qemu_plugin_tb_get_insn(tb, i + 1) : NULL, bytes,
                         len, slots != NULL ? slots[i] : 0);
        }
        bool magic = len != 0 && config.arch->is_magic(bytes, len);
        if (!magic) {
            if (len != 0 && config.valgrind_cpu) {
                cpu_identity_insn(insn, i + 1 < n ? qemu_plugin_tb_get_insn(tb, i + 1) : NULL,
                                  bytes, len, false, false);
            }
            continue;
        }
        struct site site;
        memset(&site, 0, sizeof site);
        site.pc = qemu_plugin_insn_vaddr(insn);
        site.tb_insns = (uint32_t)n;
        site.tb_index = (uint32_t)i;
        struct constant_regs consts;
        scan_constants(tb, i, &consts);
        enum decode_status status =
            site_predecode(&site, &consts, config.arch->regno, config.arch->regno_abi32);
        if (config.valgrind_cpu) {
            cpu_identity_insn(insn, i + 1 < n ? qemu_plugin_tb_get_insn(tb, i + 1) : NULL, bytes,
                              len, true, status != DECODE_NOT_OURS && site.leaf_known);
        }
        switch (status) {
        case DECODE_OK:
            break;
        case DECODE_NOT_OURS:
            continue;
        case DECODE_PROBE:
            count_inline(insn, offsetof(struct vcpu_counters, probes));
            continue;
        case DECODE_MALFORMED:
            count_inline(insn, offsetof(struct vcpu_counters, malformed));
            continue;
        }
        if (counted_only(&site)) {
            count_seed_call_inline(insn, &site);
            continue;
        }
        site.constant = config.constant_result != NULL && site_fully_known(&site) &&
                        config.constant_result(&site.rq, &site.result);
        const struct site *shared = site_intern(&site);
        qemu_plugin_register_vcpu_insn_exec_cb(insn, shared->constant ? config.on_constant
                                                                      : config.on_magic,
                                               site_flags(shared), (void *)shared);
    }
    g_free(slots);
}

void translate_init(const struct translate_config *translate_config)
{
    config = *translate_config;
    sites = g_hash_table_new(site_hash, site_equal);
    switch_sites = g_hash_table_new(switch_hash, switch_equal);
}

bool translate_happened(void)
{
    return __atomic_load_n(&translated_any, __ATOMIC_RELAXED);
}

uint64_t translate_uncached_sites(void)
{
    g_mutex_lock(&sites_lock);
    uint64_t n = uncached_sites;
    g_mutex_unlock(&sites_lock);
    return n;
}

void translate_count_instructions(void)
{
    __atomic_store_n(&counting_instructions, 1, __ATOMIC_RELEASE);
}

void translate_follow_switches(void)
{
    __atomic_store_n(&following_switches, 1, __ATOMIC_RELEASE);
}
