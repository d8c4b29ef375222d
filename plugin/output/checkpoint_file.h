/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The checkpoint file (docs/checkpoints.md, "The file"): a header of text
 * lines naming who made it and the machine QEMU ran, the plugin's state,
 * then from machine_offset QEMU's own migration stream. A checksum covers
 * the header and the state; QEMU checks its stream itself. Shared by the
 * plugin, which writes and reads it, and qemu-backdoor, which reads the
 * machine's command line from it.
 */
#ifndef BACKDOOR_PLUGIN_OUTPUT_CHECKPOINT_FILE_H
#define BACKDOOR_PLUGIN_OUTPUT_CHECKPOINT_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

/* Raised whenever what a file holds changes: an older file is refused. */
#define CHECKPOINT_FORMAT 2
#define CHECKPOINT_SUFFIX ".ckpt"

struct checkpoint_header {
    char backdoor_version[64];
    char qemu_version[64];
    char target[32];
    char *exe;   /* the QEMU that ran the machine */
    char **argv; /* its command line, NULL-terminated */
    uint64_t state_bytes;
    uint64_t machine_offset;
    uint64_t machine_bytes; /* 0 until QEMU has written the machine */
};

/* Header and state as they begin the file, padded with zeros up to the
 * machine's offset, which it sets in h; g_free() the result. The length does
 * not depend on machine_bytes, so the sealed header overwrites the first. */
char *checkpoint_file_compose(struct checkpoint_header *h, const char *state, size_t *len);

/*
 * Reads and checks the file at path: a backdoor checkpoint, of this format,
 * whole (its checksum, and the machine's bytes all there). Fills h and
 * *state (free both with checkpoint_header_free and free); false with a
 * message saying what is wrong.
 */
bool checkpoint_file_read(const char *path, struct checkpoint_header *h, char **state,
                          char *err, size_t err_size);

void checkpoint_header_free(struct checkpoint_header *h);

/* Bytes in the file's lines as hex, two digits a byte, so that none of them
 * can end a line (names, paths, a handler's state); and back, from hex up
 * to the first blank, newline or end: NULL when that is no whole bytes. */
void checkpoint_hex_append(GString *out, const void *bytes, size_t len);
GByteArray *checkpoint_hex_decode(const char *hex);

#endif
