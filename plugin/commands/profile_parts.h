/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The parts of profile=, as Callgrind numbers its dumps: each
 * CALLGRIND_DUMP_STATS writes part N to PATH.N, the end of the run the
 * last part to PATH. A part holds every function's own instructions (each
 * function's second recursion level apart, as "fn'2") and, with the call
 * graph, the call edges with their inclusive costs.
 */
#ifndef BACKDOOR_PLUGIN_COMMANDS_PROFILE_PARTS_H
#define BACKDOOR_PLUGIN_COMMANDS_PROFILE_PARTS_H

#include <stdbool.h>
#include <stdint.h>

#include "commands/valgrind.h"
#include "qemu/vcpu.h"
struct profile_output; /* output/profile.h */

/* At install, once the profile's file is open; call_graph: calls are
 * followed (commands/callgraph.h). */
void profile_parts_init(struct profile_output *profile, bool call_graph);

/* A statistics dump by the vCPU at request rq, where its cost clock is
 * clock; trigger as Callgrind words it. */
void profile_parts_dump(struct vcpu *dumping, const struct valgrind_request *rq,
                        uint64_t clock, const char *trigger);

/* The end of the run: the last part, at PATH. */
void profile_parts_final(const char *trigger);

#endif
