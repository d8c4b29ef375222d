/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * profile=: the collected part of the run as a profile in Callgrind's
 * format (events: Ir; one fn= per function, its instructions as self
 * cost, its calls with their inclusive costs), which callgrind_annotate
 * and KCachegrind read; one file per statistics dump.
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

/* Writes the last part of the profile (rows: struct profile_row, calls:
 * struct profile_call; both are sorted here) at PATH and closes the file;
 * trigger says why (the end of the run). */
void profile_write(struct profile_output *profile, unsigned part, const char *trigger,
                   GArray *rows, GArray *calls);

/* A statistics dump: part number part as PATH.part, as Callgrind writes
 * callgrind.out.PID.part; a file that cannot be written is said on stderr. */
void profile_write_part(struct profile_output *profile, unsigned part, const char *trigger,
                        GArray *rows, GArray *calls);

#endif
