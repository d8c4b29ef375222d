/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One output file (events=, trace=, print=, summary=, regions=, profile=)
 * and what may go wrong with it.
 *
 * Opening never truncates: an existing file is emptied only by
 * out_file_start, once every start-up check has passed, so a refused start
 * loses nothing. A path that names the process's own stdout or stderr
 * (/dev/stdout, /dev/fd/1, or the file stdout was redirected to) is written
 * through that inherited descriptor, never reopened: `>> log` keeps what the
 * log held. Outputs are told apart by device and inode, not by name: two on
 * one file are refused (terminals and other character devices excepted, and
 * text outputs sharing an inherited stream), and a file another run is
 * writing (its lock) is refused too. A FIFO without a reader is waited for,
 * and said so.
 *
 * A write error (full disk, EFBIG under ulimit -f, EIO) or reaching
 * max-output stops that output alone, is said once on stderr and is listed
 * in the summary; the guest runs on. A file of records (OUT_RECORDS: a
 * record is a line) then ends at a whole record: the part of a record that
 * a failed write left is cut off, max-output keeps room for the closing
 * text, and the closing (the trace's brackets) is written whatever stopped
 * the file.
 */
#ifndef BACKDOOR_PLUGIN_OUTPUT_FILE_H
#define BACKDOOR_PLUGIN_OUTPUT_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

struct out_file;

enum out_file_flags {
    /* Human-readable text (print=, summary=): may share stdout or stderr
     * with another text output. */
    OUT_TEXT = 1 << 0,
    /* Lines are records: the file is cut back to a whole line when it
     * stops, never left with half of one. */
    OUT_RECORDS = 1 << 1,
    /* With OUT_RECORDS: records are binary, laid out so that no record
     * straddles a page of the file (OUT_PAGE): a page boundary is a record
     * boundary. */
    OUT_PAGES = 1 << 2,
};

#define OUT_PAGE 4096u

/* path "stderr" or "stdout" names those streams (never truncated or
 * closed). limit: bytes at most, 0 for none; closing: text that ends the
 * file validly (written by out_file_close, or when the output stops), or
 * NULL. NULL with a message naming the option on failure. */
struct out_file *out_file_open(const char *option, const char *path, uint64_t limit,
                               unsigned flags, const char *closing, char *err,
                               size_t err_size);

/* Empties a regular file of ours that existed before; at the end of install. */
void out_file_start(struct out_file *f);

/* Whether file offsets written to are those this output counts from 0: a
 * regular file of ours, where record layout can follow the page cache's
 * pages (output/sink.c). */
bool out_file_page_aligned(const struct out_file *f);

/* Removes the file if out_file_open created it; for a refused start. */
void out_file_abandon(struct out_file *f);

/* Writes all of data unless the output has stopped; false if it has (now
 * or before). With OUT_RECORDS, data is whole records. Thread-safe. */
bool out_file_write(struct out_file *f, const char *data, size_t len);

/* Appends "option=path: what happened" lines for an output that stopped. */
void out_file_describe_problem(const struct out_file *f, GString *out);

/* Writes the closing text (unless the output stopped, which wrote it) and
 * closes. */
void out_file_close(struct out_file *f);

/* Writes all of data at offset of a file of the plugin's own (writefile),
 * with the same care for ulimit -f as the outputs; 0, or the errno of the
 * failure (ENOSPC for a write that made no progress). */
int file_write_at(int fd, const void *data, size_t len, int64_t offset);

#endif
