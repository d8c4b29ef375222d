/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The call graph of profile= (docs/valgrind.md), as Callgrind keeps it: a
 * shadow call stack per guest thread, pushed at calls (and at jumps into
 * another function, Callgrind's call emulation), popped at returns and
 * unwound by the stack pointer (longjmp, exceptions); each call edge counts
 * its calls and, when a call returns, the collected instructions since it
 * was made (its inclusive cost). A function re-entered while it is active
 * runs in its second recursion level, named "fn'2" as Callgrind names it
 * (--separate-recs=2). PLT stubs and the loader's lazy-binding resolver
 * are skipped as Callgrind skips them: a call through them is the caller's
 * call of the function they reach. Only while instrumentation is on; costs are
 * Callgrind's collected instructions (valgrind_clock).
 */
#ifndef BACKDOOR_PLUGIN_COMMANDS_CALLGRAPH_H
#define BACKDOOR_PLUGIN_COMMANDS_CALLGRAPH_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "qemu/vcpu.h"
#include "output/records.h"

/* Bounds: call edges over all threads, frames per thread. */
#define CALLGRAPH_MAX_EDGES 1000000u
#define CALLGRAPH_MAX_DEPTH 100000u

/* At install, when profile= keeps a call graph; sp names the stack
 * pointer register (arch.h). */
void callgraph_init(const char *stack_pointer);

enum callgraph_event {
    CALLGRAPH_CALL,
    CALLGRAPH_RETURN,
    CALLGRAPH_JUMP,          /* to an address known at translation */
    CALLGRAPH_INDIRECT_JUMP, /* through a register: may be a longjmp */
};

/* A block at target_pc of slot target_slot was reached by a call (to
 * return to return_address), a return or a jump from slot source_slot;
 * from the vCPU's own callback. Slots are lines (qemu/functions.h): edges
 * go from the caller's line to the callee's function. */
void callgraph_event(struct vcpu *vcpu, enum callgraph_event event, uint32_t source_slot,
                     uint64_t target_pc, uint32_t target_slot, uint64_t return_address);

/* Callgrind's zeroing of one thread, after its function counters
 * restarted: costs and counts restart, active calls count from now (clock:
 * the thread's collected instructions). */
void callgraph_zero(struct vcpu *vcpu, uint64_t clock);

/* After a dump restarted the thread's function counters (its edges were
 * restarted by callgraph_part). */
void callgraph_restarted(struct vcpu *vcpu);

/* At vCPU init: a reused vCPU's calls are those of a thread that ended. */
void callgraph_vcpu_init(struct vcpu *vcpu);

/* Instrumentation stopped: every active call returns now. */
void callgraph_unwind(struct vcpu *vcpu, uint64_t clock);

/*
 * A part's call edges over all threads, as struct profile_call (names
 * stay valid), with the active calls' costs up to now; recursive_self[slot]
 * gets the instructions of each line of a function's second recursion
 * level (sized n_slots). clock_of gives a thread's collected instructions now.
 * With restart (a dump), what was written restarts from zero and active
 * calls count from now on, as after Callgrind's dump.
 */
GArray *callgraph_part(uint64_t (*clock_of)(struct vcpu *vcpu), uint64_t *recursive_self,
                       uint32_t n_slots, bool restart);

/* Edges not recorded because the bound was reached. */
uint64_t callgraph_dropped_edges(void);

/* The name of a function's second recursion level ("name'2"); slot: the
 * function's head (function_of). */
const char *callgraph_recursive_name(uint32_t slot);

#endif
