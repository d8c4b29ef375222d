/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The end of a run (core/lifecycle.h). */
#include "core/lifecycle.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "commands/checkpoint.h"
#include "commands/files.h"
#include "commands/handler.h"
#include "commands/roi.h"
#include "commands/threads.h"
#include "commands/valgrind.h"
#include "core/accelerator.h"
#include "translate/cpu_identity.h"
#include "translate/translate.h"
#include "translate/valgrind.h"
#include "dispatch/dispatch.h"
#include "qemu/functions.h"
#include "output/log.h"
#include "output/outputs.h"

static const char *run_target;
static bool run_system_mode;
static int run_api;
static bool run_valgrind;
static const char *run_cpu_identity;

static pthread_mutex_t end_lock = PTHREAD_MUTEX_INITIALIZER;
static bool ended;
/* The thread running the sequence: exit() from inside it (a handler's
 * fini, the exit command) comes back through QEMU's atexit callback, which
 * must return, not wait for itself. */
static _Thread_local bool ending_here;

void lifecycle_init(const char *target, bool system_mode, int api, bool valgrind)
{
    run_target = target;
    run_system_mode = system_mode;
    run_api = api;
    run_valgrind = valgrind;
}

void lifecycle_set_cpu_identity(const char *name)
{
    run_cpu_identity = name;
}

void lifecycle_snapshot(struct run_snapshot *snap, bool at_exit)
{
    snap->target = run_target;
    snap->system_mode = run_system_mode;
    snap->api = run_api;
    snap->user_commands = g_hash_table_new(NULL, NULL);
    dispatch_counters_total(&snap->calls, snap->user_commands);
    snap->regions = roi_snapshot(at_exit);
    snap->marks = roi_marks_snapshot();
    snap->dropped_ids = roi_dropped_ids();
    snap->uncached_sites = translate_uncached_sites();
    snap->valgrind = run_valgrind;
    snap->valgrind_ignored_by_request = g_hash_table_new(NULL, NULL);
    valgrind_counts(&snap->valgrind_honoured, &snap->valgrind_ignored, &snap->valgrind_refused,
                    snap->valgrind_ignored_by_request);
    snap->valgrind_dropped_sites = valgrind_dropped_sites();
    snap->cpu_identity = run_cpu_identity;
    cpu_identity_counts(&snap->cpuid_answered, &snap->xgetbv_answered);
    snap->at_exit = at_exit;
    snap->row_limit = 0;
    snap->kernel_counted = !run_system_mode || threads_followed();
    files_stats(&snap->files);
    checkpoint_stats(&snap->checkpoints);
    snap->threads_followed = threads_followed();
    struct thread_counts threads;
    threads_counts(&threads);
    snap->threads_seen = threads.seen;
    snap->threads_forgotten = threads.forgotten;
    snap->threads_over_cap = threads.over_cap;
    snap->max_threads = threads.max;
}

void lifecycle_free_snapshot(struct run_snapshot *snap)
{
    g_hash_table_destroy(snap->user_commands);
    g_array_free(snap->regions, TRUE);
    g_array_free(snap->marks, TRUE);
    g_hash_table_destroy(snap->valgrind_ignored_by_request);
}

void lifecycle_finish(const char *reason, int status)
{
    if (ending_here) {
        return;
    }
    dispatch_leave_current();
    pthread_mutex_lock(&end_lock);
    if (!ended) {
        ended = true;
        ending_here = true;
        /* Nothing translated because QEMU failed to start is QEMU's to
         * explain. */
        if (!translate_happened() && accelerator_other_than_tcg()) {
            plugin_log("QEMU translated no guest code: the channel needs TCG (-accel tcg); "
                       "under KVM or another accelerator the magic instruction never reaches "
                       "the plugin (docs/abi.md)");
        }
        dispatch_stop();
        struct run_snapshot snap;
        lifecycle_snapshot(&snap, true);
        outputs_write(&(struct output_end){reason, status, &snap});
        lifecycle_free_snapshot(&snap);
        outputs_close();
        handler_fini();
        /* Handlers print with stdio; QEMU may leave without flushing it. */
        fflush(NULL);
        ending_here = false;
    }
    pthread_mutex_unlock(&end_lock);
}

_Noreturn void lifecycle_end(const char *reason, int status)
{
    lifecycle_finish(reason, status);
    ending_here = true; /* exit() comes back through plugin_exit */
    exit(status);
}
