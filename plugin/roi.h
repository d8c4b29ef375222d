/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Regions of interest: entries, guest instructions per vCPU and host wall
 * time between roi_begin(id) and roi_end(id); plus marks and the statistics
 * commands. docs/abi.md, "Regions of interest", defines the semantics.
 */
#ifndef BACKDOOR_PLUGIN_ROI_H
#define BACKDOOR_PLUGIN_ROI_H

#include <glib.h>

#include "dispatch.h"

void roi_vcpu_init(struct vcpu_state *vs);

/* Guest instructions this vCPU executed before the current call's magic
 * instruction (inline counting plus the position in its block). */
uint64_t roi_insns_before_call(const struct call_ctx *ctx);

/* Whether translation must add the per-block instruction counter. */
bool roi_counting(void);

/* One row per region id and vCPU, summed at exit or at a stats dump. */
struct roi_row {
    uint64_t id;
    unsigned int vcpu;
    uint64_t entries;
    uint64_t insns;
    uint64_t wall_ns;
    uint64_t unmatched_ends;
    bool open; /* still open: counted up to now */
};

struct mark_row {
    uint64_t id;
    uint64_t count;
    uint64_t last_value;
};

/* Snapshot of every vCPU's regions (and marks); caller frees with
 * g_array_free. Open regions are counted up to now (at_exit: and closed). */
GArray *roi_snapshot(bool at_exit);
GArray *roi_marks_snapshot(void);

/* Region and mark ids not tracked because a vCPU reached its limit. */
uint64_t roi_dropped_ids(void);

#endif
