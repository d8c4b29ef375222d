/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Regions of interest: entries, guest instructions per vCPU and host wall
 * time between roi_begin(id) and roi_end(id); plus marks and the statistics
 * commands. docs/abi.md, "Regions of interest", defines the semantics.
 */
#ifndef BACKDOOR_PLUGIN_COMMANDS_ROI_H
#define BACKDOOR_PLUGIN_COMMANDS_ROI_H

#include <glib.h>

#include "commands/call.h"
#include "commands/threads.h"
#include "qemu/vcpu.h"
#include "output/records.h"

void roi_vcpu_init(struct vcpu *vcpu);

/* User mode: a new guest thread runs on the vCPU index an earlier one left
 * (QEMU reuses them); its regions, marks and name are its own, and the
 * earlier thread's stay for the end. */
void roi_vcpu_new_thread(struct vcpu *vcpu);

/* Guest instructions this vCPU executed before the current call's magic
 * instruction (inline counting plus the position in its block). */
uint64_t roi_insns_before_call(const struct call_ctx *ctx);
/* Where the calling code's regions stand at the call: its counters (its
 * thread's, where threads are followed) and the clock. */
struct roi_mark {
    struct insn_position pos;
    uint64_t ns;
    const void *regions; /* whose: the caller's container */
};
struct roi_mark roi_mark_now(const struct call_ctx *ctx);

/* Opens region id on vcpu (or deepens it), its count starting at insns
 * (the vCPU's instruction counter); returns the depth after, 0 when the id
 * is not tracked. */
unsigned roi_open(struct vcpu *vcpu, uint64_t id, uint64_t insns);

enum roi_close_result { ROI_CLOSED, ROI_STILL_OPEN, ROI_UNMATCHED, ROI_NOT_TRACKED };

/* Leaves one level of region id at insns; when it closes, its instructions
 * and host time are stored in *region_insns and *region_ns. */
enum roi_close_result roi_close(struct vcpu *vcpu, uint64_t id, uint64_t insns,
                                uint64_t *region_insns, uint64_t *region_ns);

/* Moves the start of open region id by delta instructions (a later start
 * counts fewer). */
void roi_shift_start(struct vcpu *vcpu, uint64_t id, int64_t delta);

/* The calling code's open regions leave out what it ran, and the time that
 * passed, since mark since (an earlier roi_mark_now or return of this
 * function, or the start of a restored run): a checkpoint's wait, which
 * differs from run to run. Returns the mark now. */
struct roi_mark roi_exclude_since(const struct call_ctx *ctx, struct roi_mark since);

/* Translation counts instructions from the start (valgrind=on): the first
 * region needs no retranslation. */
void roi_counting_started(void);

/* Snapshot of every vCPU's regions (struct roi_row, by id then vCPU) and
 * of the marks (struct mark_row, by id); caller frees with g_array_free.
 * Open regions are counted up to now (at_exit: and closed in the trace). */
GArray *roi_snapshot(bool at_exit);
GArray *roi_marks_snapshot(void);

/*
 * Checkpoints (commands/checkpoint.c): the regions, marks and names of
 * every vCPU, thread and the machine as text lines, open regions counted up
 * to now, those of waiting's container (a checkpoint's caller) up to its
 * mark, so that none of the wait counts; taken while the machine is
 * stopped. roi_state_restore reads them
 * back at install, before any vCPU runs, so that a region open at the
 * checkpoint counts on from there; it returns false with a message on a
 * line it cannot read, and sets *open_regions when one is open (counting
 * must then start at once).
 */
void roi_state_save(GString *out, const struct roi_mark *waiting);
bool roi_state_restore(const char *text, bool *open_regions, char *err, size_t err_size);

/* Region and mark ids not tracked because a vCPU reached its limit. */
uint64_t roi_dropped_ids(void);

#endif
