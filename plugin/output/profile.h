/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * profile=: the collected part of the run as a profile in Callgrind's
 * format (events: Ir; one fn= per function, its instructions as self
 * cost), which callgrind_annotate and KCachegrind read.
 */
#ifndef BACKDOOR_PLUGIN_OUTPUT_PROFILE_H
#define BACKDOOR_PLUGIN_OUTPUT_PROFILE_H

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

#include "output/records.h"

struct profile_output;

/* At install: opens path without truncating it (output/file.h); NULL with
 * a message naming the option on failure. */
struct profile_output *profile_open(const char *path, uint64_t limit, const char *target,
                                    char *err, size_t err_size);

/* Once every start-up check has passed; or, for a refused start, abandon. */
void profile_start(struct profile_output *profile);
void profile_abandon(struct profile_output *profile);

/* Writes the profile (struct profile_row) and closes the file; trigger
 * says why (the end of the run). */
void profile_write(struct profile_output *profile, const char *trigger, GArray *rows);

#endif
