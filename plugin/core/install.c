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
 * This file installs the plugin: it parses the options, configures each
 * layer once (core -> decode, dispatch -> commands -> guest, output; every
 * layer's configuration is read-only afterwards), and registers QEMU's
 * callbacks. One build serves every QEMU from 9.0 to 11.1 (plugin API 2 to
 * 7): qemu/qemu_compat.c speaks the level of the QEMU that opened it.
 */
#include <glib.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands/callgraph.h"
#include "commands/checkpoint.h"
#include "commands/commands.h"
#include "commands/files.h"
#include "commands/handler.h"
#include "commands/profile_parts.h"
#include "commands/services.h"
#include "commands/threads.h"
#include "commands/valgrind.h"
#include "core/lifecycle.h"
#include "core/options.h"
#include "core/signals.h"
#include "translate/arch.h"
#include "translate/call_sites.h"
#include "translate/cpu_identity.h"
#include "translate/repeats.h"
#include "translate/toggle.h"
#include "translate/translate.h"
#include "dispatch/dispatch.h"
#include "dispatch/policy.h"
#include "qemu/functions.h"
#include "qemu/memory.h"
#include "qemu/qemu_compat.h"
#include "qemu/qemu_version.h"
#include "qemu/registers.h"
#include "qemu/symbols.h"
#include "qemu/vcpu.h"
#include "output/log.h"
#include "output/outputs.h"
#include "output/report.h"

static qemu_plugin_id_t plugin_id;
static bool qemu_system_mode;

static void register_callbacks(void);

static void vcpu_init(unsigned int index)
{
    registers_resolve();
    struct vcpu *vcpu = vcpu_create(index);
    if (vcpu == NULL) {
        plugin_log("vCPU %u: over the %u vCPUs the plugin tracks; its calls are ignored",
                   index, VCPU_TABLE_CHUNK * VCPU_TABLE_CHUNKS);
        return;
    }
    toggle_vcpu_init(index);
    if (vcpu->output == NULL) {
        vcpu->output = report_vcpu_new(index);
        dispatch_vcpu_init(vcpu);
        commands_vcpu_init(vcpu);
    } else {
        /* QEMU reuses the index of a guest thread that ended: this is
         * another thread, whose names, regions and call stack are its own. */
        if (!qemu_system_mode) {
            commands_vcpu_new_thread(vcpu);
        }
        callgraph_vcpu_init(vcpu);
    }
    vcpu_publish(vcpu);
}

static void plugin_exit(void)
{
    lifecycle_finish("end of emulation", -1);
}

/*
 * What translation adds from the first call that needs it on: instruction
 * counts (the first region) and the callbacks of thread switches (the
 * first call that asks which thread runs). Each takes QEMU dropping every
 * translated block, a reset; QEMU ignores a reset asked for while one is
 * under way, so both go through one: a request during a reset is applied
 * when it ends. The reset's end runs with every vCPU stopped, so no
 * request slips in between it and QEMU's own bookkeeping.
 */
enum retranslation { COUNT_INSTRUCTIONS = 1, FOLLOW_SWITCHES = 2 };
static GMutex retranslation_lock;
static int retranslation_wanted, retranslation_applied;
static bool resetting;

static void reset_done(void)
{
    g_mutex_lock(&retranslation_lock);
    int wanted = retranslation_wanted;
    retranslation_applied = wanted;
    resetting = false;
    g_mutex_unlock(&retranslation_lock);
    if (wanted & COUNT_INSTRUCTIONS) {
        translate_count_instructions();
    }
    if (wanted & FOLLOW_SWITCHES) {
        translate_follow_switches();
    }
    register_callbacks();
}

static void retranslate(int what)
{
    g_mutex_lock(&retranslation_lock);
    retranslation_wanted |= what;
    bool start = !resetting && (retranslation_wanted & ~retranslation_applied) != 0;
    resetting |= start;
    g_mutex_unlock(&retranslation_lock);
    if (start) {
        qemu_reset(plugin_id, reset_done);
    }
}

static void count_instructions(void)
{
    retranslate(COUNT_INSTRUCTIONS);
}

static void follow_switches(void)
{
    retranslate(FOLLOW_SWITCHES);
}

static void register_callbacks(void)
{
    qemu_register_vcpu_init(plugin_id, vcpu_init);
    qemu_register_tb_trans(plugin_id, translate_block);
    qemu_register_atexit(plugin_id, plugin_exit);
}

static void describe_degradation(int api, bool system_mode)
{
    if (system_mode && !qemu_caps.physical_memory) {
        plugin_log("QEMU plugin API %d cannot read the guest's page tables: buffers passed "
                   "by user-level code are refused (needs API 5, QEMU >= 10.1; docs/abi.md, "
                   "security model)", api);
    }
    if (!qemu_caps.read_memory) {
        plugin_log("QEMU plugin API %d cannot read guest memory (needs API 4, "
                   "QEMU >= 9.2): send buffers are off too", api);
    }
    if (qemu_caps.write_registers && qemu_caps.write_memory) {
        return;
    }
    plugin_log("QEMU plugin API %d cannot write guest registers or memory "
               "(needs API 5, QEMU >= 10.1): results, backdoor_present() and "
               "receive buffers are off; calls%s work", api,
               qemu_caps.read_memory ? ", arguments and send buffers" : " and arguments");
}

static uint32_t features(const struct options *o, bool system_mode)
{
    return (qemu_caps.read_memory ? BACKDOOR_FEATURE_MEM_READ : 0) |
           (qemu_caps.write_registers ? BACKDOOR_FEATURE_RESULTS : 0) |
           (qemu_caps.write_memory ? BACKDOOR_FEATURE_MEM_WRITE : 0) |
           (o->handler_path ? BACKDOOR_FEATURE_HANDLER : 0) |
           (system_mode ? BACKDOOR_FEATURE_SYSTEM : 0);
}

QEMU_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc,
                                    char **argv)
{
    /* Parsed options point into argv, which QEMU keeps for the plugin's
     * lifetime; the struct itself lives as long. */
    static struct options opts;
    char err[1024];
    plugin_id = id;
    clock_start();
    const char *target = g_strdup(info->target_name);
    bool system_mode = info->system_emulation;
    qemu_system_mode = system_mode;
    if (!qemu_compat_init(info, err, sizeof err) ||
        !options_parse(&opts, argc, argv, err, sizeof err)) {
        plugin_log("%s", err);
        return -1;
    }
    if (opts.qemu_api != 0 && !qemu_api_level_known((int)opts.qemu_api)) {
        /* Unknown levels were passed over when the level was read. */
        plugin_log("option 'qemu-api=%" PRIu64 "': QEMU's plugin API levels are %d to %d; "
                   "leave the option to qemu-backdoor, which reads the level from QEMU",
                   opts.qemu_api, QEMU_API_OLDEST, QEMU_API_NEWEST);
        return -1;
    }
    int api = qemu_api_level();
    const struct arch *arch = arch_for_target(info->target_name);
    if (arch == NULL) {
        plugin_log("QEMU target '%s' is not supported (supported: %s)", info->target_name,
                   arch_supported_targets());
        return -1;
    }
    /* Valgrind's amd64 CPU (decode/valgrind_cpu.h): its answers are
     * written after the instruction, which needs register writes and
     * conditional callbacks; a kernel in system mode is not Valgrind's
     * guest. */
    bool valgrind_cpu_possible = !system_mode && strcmp(target, "x86_64") == 0 &&
                                 qemu_caps.write_registers && qemu_caps.conditional_callbacks;
    if (opts.cpu_identity == CPU_IDENTITY_VALGRIND && !valgrind_cpu_possible) {
        plugin_log("option 'cpu-identity=valgrind': Valgrind's CPU is modelled for x86_64 "
                   "user mode (qemu-x86_64) with plugin API 5 or later (QEMU >= 10.1); "
                   "this is %s%s, API %d: drop the option or give cpu-identity=qemu",
                   target, system_mode ? " system mode" : "", api);
        return -1;
    }
    bool valgrind_cpu = opts.cpu_identity == CPU_IDENTITY_VALGRIND ||
                        (opts.cpu_identity == CPU_IDENTITY_AUTO && opts.valgrind &&
                         valgrind_cpu_possible);
    /* Callgrind counts every repetition: on by default with valgrind=on
     * where the target has repeated string instructions. */
    if (!option_given(&opts, "count-reps")) {
        opts.count_repeats = opts.valgrind && arch->repeated_string != NULL &&
                             qemu_caps.conditional_callbacks;
    }
    if (opts.count_repeats && arch->repeated_string == NULL) {
        plugin_log("option 'count-reps=on': %s has no repeated string instructions "
                   "(x86 only); drop the option", target);
        return -1;
    }
    if (opts.count_repeats && !qemu_caps.conditional_callbacks) {
        plugin_log("option 'count-reps=on' needs conditional callbacks (plugin API 2, "
                   "QEMU 9.0 or later); this QEMU has none");
        return -1;
    }
    if (opts.toggle_collect.count > 0 &&
        (!qemu_caps.conditional_callbacks ||
         !toggle_init(&(struct toggle_config){
             .arch = arch,
             .patterns = (const char *const *)opts.toggle_collect.items,
             .n_patterns = (unsigned)opts.toggle_collect.count,
             .flip = valgrind_toggle_collect,
         }))) {
        plugin_log("option 'toggle-collect=%s' needs conditional callbacks (plugin API 2, "
                   "QEMU 9.0 or later); this QEMU has none", opts.toggle_collect.items[0]);
        return -1;
    }
    bool reporting_calls = opts.events_path != NULL || opts.log_calls;
    /* The call graph needs the architecture's branches and conditional
     * callbacks, and user mode: in system mode a vCPU's stack pointer jumps
     * between kernel and user stacks, which unwinding by stack pointer
     * cannot tell from returns. Without it the profile has self costs. */
    const char *no_call_graph =
        system_mode ? "system mode: calls are followed in user mode only"
        : arch->branch == NULL ? "this architecture's calls are not followed"
        : !qemu_caps.conditional_callbacks
            ? "this QEMU has no conditional callbacks (plugin API 2, QEMU 9.0)"
            : NULL;
    bool call_graph = opts.profile_path != NULL && opts.call_graph && no_call_graph == NULL;
    if (opts.profile_path != NULL && opts.call_graph && !call_graph) {
        plugin_log("profile=: no call graph (%s; call-graph=off silences this)", no_call_graph);
    }

    vcpus_init();
    if (opts.profile_path != NULL) {
        struct symbols_config symbols = {system_mode, opts.symbols_path};
        if (!symbols_init(&symbols, err, sizeof err)) {
            plugin_log("%s", err);
            return -1;
        }
        functions_init();
    }
    registers_init(&arch->regs, target, system_mode);
    memory_init(arch->walk_pages, system_mode);
    struct policy_config policy = {.allow_from = opts.allow_from, .system_mode = system_mode};
    memcpy(policy.denied, opts.denied, sizeof policy.denied);
    policy_init(&policy);
    lifecycle_init(target, system_mode, api, opts.valgrind);
    if (opts.valgrind || option_given(&opts, "cpu-identity")) {
        lifecycle_set_cpu_identity(valgrind_cpu ? "valgrind" : "qemu");
    }
    /* Regions follow guest threads in system mode, where the architecture's
     * switches are known (docs/outputs.md). */
    threads_init(system_mode && arch->context_switch != NULL && !opts.regions_by_vcpu,
                 (unsigned int)opts.max_threads, follow_switches);
    commands_init(&(struct commands_config){
        .features = features(&opts, system_mode),
        .api = api,
        .target = target,
        .system_mode = system_mode,
        .max_buffer = opts.max_buffer,
        .take_snapshot = lifecycle_snapshot,
        .free_snapshot = lifecycle_free_snapshot,
        .end_run = lifecycle_end,
        .count_instructions = count_instructions,
        .valgrind = {
            .on = opts.valgrind,
            .running_on_valgrind = opts.running_on_valgrind,
            .collect_atstart = opts.collect_atstart,
            .instr_atstart = opts.instr_atstart,
            .profile = opts.profile_path != NULL,
        },
    });
    dispatch_init(&(struct dispatch_config){
        .max_buffer = opts.max_buffer,
        .reporting_calls = reporting_calls,
    });
    /* A checkpoint to restore is checked before any output is emptied. */
    bool restored_regions_open = false;
    if (!checkpoint_init(&(struct checkpoint_config){
                             .system_mode = system_mode,
                             .target = target,
                             .dir = opts.checkpoint_dir,
                             .qmp_path = opts.qmp_path,
                             .restore_path = opts.restore_path,
                         },
                         &restored_regions_open, err, sizeof err)) {
        plugin_log("%s", err);
        return -1;
    }
    /* Every output the option table names, opened in one loop. */
    struct output_path paths[OPTIONS_COUNT];
    size_t n_paths = options_output_paths(&opts, paths, sizeof paths / sizeof paths[0]);
    if (!outputs_open(&(struct output_settings){
                          .paths = paths,
                          .n_paths = n_paths,
                          .max_output = opts.max_output,
                          .log_calls = opts.log_calls,
                          .target = target,
                          .profile_final = profile_parts_final,
                      },
                      err, sizeof err)) {
        plugin_log("%s", err);
        return -1;
    }
    const char *own_files[sizeof paths / sizeof paths[0]];
    for (size_t i = 0; i < n_paths; i++) {
        own_files[i] = paths[i].path;
    }
    struct files_config files = {
        .readfile_path = opts.readfile_path,
        .outdir_path = opts.outdir_path,
        .max_output = opts.max_output,
        .protected_paths = own_files,
        .n_protected = n_paths,
    };
    /* Every check before an existing output file is emptied. */
    if (!files_open(&files, err, sizeof err) ||
        (opts.handler_path != NULL &&
         !handler_load(opts.handler_path, opts.handler_argv.count, opts.handler_argv.items,
                       &services_host, err, sizeof err)) ||
        !checkpoint_restore_handler(err, sizeof err) ||
        (!system_mode && !signals_install(err, sizeof err))) {
        plugin_log("%s", err);
        outputs_abandon();
        return -1;
    }
    outputs_start();
    profile_parts_init(outputs_profile(), call_graph); /* NULL: no profile= */
    if (call_graph) {
        callgraph_init(arch->stack_pointer_reg);
        call_sites_init(arch, dispatch_on_branch);
    }
    describe_degradation(api, system_mode);
    if (opts.count_repeats) {
        repeats_init(&(struct repeats_config){
            .arch = arch,
            .wide_count = strcmp(target, "x86_64") == 0,
            .kernel_apart = threads_followed(),
            .profile = opts.profile_path != NULL,
        });
    }
    if (valgrind_cpu) {
        struct valgrind_cpu_host host = valgrind_cpu_host_probe();
        cpu_identity_init(&host);
    }
    translate_init(&(struct translate_config){
        .arch = arch,
        .handler_loaded = handler_loaded(),
        .reporting_calls = reporting_calls,
        .policy_active = policy_active(),
        .policy_reads_registers = policy_reads_registers(),
        .can_write_registers = qemu_caps.write_registers,
        .on_magic = dispatch_on_magic,
        .constant_result = dispatch_constant_result,
        .on_constant = dispatch_on_constant,
        .valgrind = opts.valgrind,
        .on_valgrind = dispatch_on_valgrind,
        .profile = opts.profile_path != NULL,
        .call_graph = call_graph,
        .on_context_switch = threads_followed() ? threads_on_switch : NULL,
        .calls_read_registers = system_mode && (threads_followed() || reporting_calls),
        .count_kernel_apart = threads_followed(),
        .count_repeats = opts.count_repeats,
        .valgrind_cpu = valgrind_cpu,
        .toggle_collect = opts.toggle_collect.count > 0,
    });
    if (opts.valgrind || opts.count_repeats || restored_regions_open) {
        /* Callgrind collects from the start by default: count from the
         * first block rather than retranslate at the first request. And a
         * block translated before counting began has no callback on its
         * repeated instruction, whose repetitions would then be lost for
         * the region that the block's own roi_begin opens. A region open
         * in a restored checkpoint counts from the first block too. */
        translate_count_instructions();
    }
    if (threads_followed() && arch->switches_from_boot) {
        threads_follow_from_start();
    }
    if (threads_following()) {
        /* A restored thread's regions follow it from the first block (a
         * retranslation at its first call would let other threads' code
         * count as its own until it lands), and so do riscv64's. */
        translate_follow_switches();
    }
    register_callbacks();
    return 0;
}
