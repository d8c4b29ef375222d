/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Files in and out of the guest, as gem5's m5 readfile and writefile: the
 * readfile built-in reads the host file of readfile=, the writefile built-in
 * writes plain file names inside outdir= and nowhere else. Both are opened
 * at install, so a missing file or an outdir that cannot take files is
 * refused before the guest runs.
 */
#ifndef BACKDOOR_PLUGIN_COMMANDS_FILES_H
#define BACKDOOR_PLUGIN_COMMANDS_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "output/records.h"

/* At most this many files are created in outdir in one run (a guest that
 * loops on new names cannot fill the directory). */
#define FILES_MAX_CREATED 4096

struct files_config {
    const char *readfile_path; /* NULL: readfile answers BACKDOOR_ENOSYS */
    const char *outdir_path;   /* NULL: writefile answers BACKDOOR_ENOSYS */
    uint64_t max_output;       /* bytes all writes together, 0: no limit */
    /* The plugin's own output files (NULL entries skipped): a writefile
     * name that is one of them, or readfile=, is refused. */
    const char *const *protected_paths;
    size_t n_protected;
};

/* At install, after the outputs are opened; false with a message naming
 * the option. */
bool files_open(const struct files_config *config, char *err, size_t err_size);

/* What was read and written so far, for the summary. */
void files_stats(struct files_stats *stats);

#endif
