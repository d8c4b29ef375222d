/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The commands layer as the layers above see it: configured once at
 * install, with the few things it needs from above passed in as callbacks
 * (a snapshot of the run for stats_dump, the end of the run for exit and a
 * handler's exit request, turning instruction counting on for regions).
 */
#ifndef BACKDOOR_PLUGIN_COMMANDS_COMMANDS_H
#define BACKDOOR_PLUGIN_COMMANDS_COMMANDS_H

#include <stdbool.h>
#include <stdint.h>

#include "commands/valgrind.h"
#include "qemu/vcpu.h"
#include "output/records.h"

struct commands_config {
    uint32_t features; /* BACKDOOR_FEATURE_* */
    int api;           /* QEMU plugin API level in use */
    const char *target;
    bool system_mode;
    uint64_t max_buffer;
    /* Fills *snap with the run as it is now (at_exit: the final one). */
    void (*take_snapshot)(struct run_snapshot *snap, bool at_exit);
    void (*free_snapshot)(struct run_snapshot *snap);
    /* Ends the run: summary, outputs, handler, exit(status). */
    void (*end_run)(const char *reason, int status) __attribute__((noreturn));
    /* Makes translation count instructions from now on (a region began). */
    void (*count_instructions)(void);
    struct valgrind_config valgrind; /* Valgrind's client requests */
};

/* At install; config is copied. */
void commands_init(const struct commands_config *config);
extern struct commands_config commands;

/* At vCPU init: the commands' per-vCPU state. */
void commands_vcpu_init(struct vcpu *vcpu);

/* User mode: a new guest thread on a vCPU index another one left. */
void commands_vcpu_new_thread(struct vcpu *vcpu);

/*
 * Ending the run from a call (the exit command, a handler's request_exit)
 * is a request: dispatch ends the run once the call is complete, counted
 * and recorded, so the counters and the event log agree. One word holds
 * the first request, reason and status together (0: none); inline, since
 * dispatch checks it after every call.
 */
enum exit_reason { EXIT_COMMAND, EXIT_HANDLER_REQUEST };
extern int commands_exit_request;
void commands_request_exit(enum exit_reason reason, int status);
static inline int commands_exit_requested(void)
{
    return __atomic_load_n(&commands_exit_request, __ATOMIC_ACQUIRE);
}
/* Of a nonzero commands_exit_requested(). */
static inline int commands_exit_status(int request)
{
    return (request & 0xffff) - 1;
}
const char *commands_exit_reason(int request);

#endif
