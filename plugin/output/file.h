/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One output file (events=, trace=, print=, summary=) and what may go wrong
 * with it. Opening never truncates: an existing file is emptied only by
 * out_file_start, once every start-up check has passed, so a refused start
 * loses nothing. A write error (full disk, EFBIG under ulimit -f, EIO) or
 * reaching max-output stops that output alone, is said once on stderr and
 * is listed in the summary; the guest runs on.
 */
#ifndef BACKDOOR_PLUGIN_OUTPUT_FILE_H
#define BACKDOOR_PLUGIN_OUTPUT_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

struct out_file;

/* path "stderr" or "stdout" names those streams (never truncated or
 * closed). limit: bytes at most, 0 for none. NULL with a message naming the
 * option on failure. */
struct out_file *out_file_open(const char *option, const char *path, uint64_t limit,
                               char *err, size_t err_size);

/* Empties a regular file that existed before; at the end of install. */
void out_file_start(struct out_file *f);

/* Removes the file if out_file_open created it; for a refused start. */
void out_file_abandon(struct out_file *f);

/* Writes all of data unless the output has stopped; false if it has (now
 * or before). Thread-safe. */
bool out_file_write(struct out_file *f, const char *data, size_t len);

/* Appends "option=path: what happened" lines for an output that stopped. */
void out_file_describe_problem(const struct out_file *f, GString *out);

void out_file_close(struct out_file *f);

/* Writes all of data at offset of a file of the plugin's own (writefile),
 * with the same care for ulimit -f as the outputs; 0, or the errno of the
 * failure (ENOSPC for a write that made no progress). */
int file_write_at(int fd, const void *data, size_t len, int64_t offset);

#endif
