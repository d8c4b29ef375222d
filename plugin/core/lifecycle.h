/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The end of a run, in one place. However it ends (the guest's exit, the
 * exit command, a handler's exit request, SIGINT/SIGTERM/SIGHUP in user
 * mode, the monitor's quit), the same sequence runs once: stop dispatching,
 * close regions, write the summary, finish the outputs, call the handler's
 * fini. Everything else asks this file to end the run.
 */
#ifndef BACKDOOR_PLUGIN_CORE_LIFECYCLE_H
#define BACKDOOR_PLUGIN_CORE_LIFECYCLE_H

#include <stdbool.h>

#include "output/records.h"

/* At install: what the summary's header says. */
void lifecycle_init(const char *target, bool system_mode, int api, bool valgrind);

/* At install: the CPU identity the summary names ("valgrind", "qemu"), or
 * NULL to name none. */
void lifecycle_set_cpu_identity(const char *name);

/* Runs the end sequence; later calls, from any thread, wait until it has
 * run and return. status < 0: none (QEMU decides the exit status). */
void lifecycle_finish(const char *reason, int status);

/* The end sequence, then exit(status). */
_Noreturn void lifecycle_end(const char *reason, int status);

/* The run as it is now (at_exit: the final one, regions closed). */
void lifecycle_snapshot(struct run_snapshot *snap, bool at_exit);
void lifecycle_free_snapshot(struct run_snapshot *snap);

#endif
