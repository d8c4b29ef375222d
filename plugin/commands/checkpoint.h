/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Checkpoints the guest chooses (docs/checkpoints.md). The checkpoint
 * built-in asks; a thread of the plugin's own stops the machine through
 * QMP (qemu/qmp.h), writes the plugin's state and has QEMU save the machine
 * after it in one file, and lets the machine go on. The guest calls again
 * until the answer is there (BACKDOOR_EAGAIN before): 0 in this run, and 1
 * in every run restored from the file, where the same call is answered
 * from the restored state.
 */
#ifndef BACKDOOR_PLUGIN_COMMANDS_CHECKPOINT_H
#define BACKDOOR_PLUGIN_COMMANDS_CHECKPOINT_H

#include <stdbool.h>
#include <stddef.h>

#include "commands/call.h"
#include "output/records.h"

struct checkpoint_config {
    bool system_mode;
    const char *target;
    const char *dir;          /* checkpoint-dir=, or NULL: the built-in refuses */
    const char *qmp_path;     /* qmp= */
    const char *restore_path; /* restore=, or NULL */
};

/*
 * At install, before outputs are opened: with restore=, reads and checks
 * the file and restores the plugin's state from it (false with a message
 * when it is damaged, foreign or another version's); sets *count_now when
 * a region was open, so that counting starts with the first block.
 */
bool checkpoint_init(const struct checkpoint_config *config, bool *count_now, char *err,
                     size_t err_size);

void builtin_checkpoint(struct call_ctx *ctx);

/* After the handler is loaded: gives it its state from the checkpoint, if
 * the checkpoint holds one (false with a message when it cannot take it). */
bool checkpoint_restore_handler(char *err, size_t err_size);

/* What the summary says of them. */
void checkpoint_stats(struct checkpoint_stats *stats);

#endif
