/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Which plugin API level to declare to the QEMU that opened the plugin.
 * QEMU reads qemu_plugin_version right after opening the plugin and refuses
 * a level outside its own range: QEMU 10.x accepts 2 to 4 or 5, QEMU 11.1
 * only 7. The functions a QEMU exports tell levels 2 to 6 apart; 6 and 7
 * export the same names, so there the QEMU release decides, read from the
 * version text every QEMU binary carries ("QEMU emulator version 11.1.3",
 * "qemu-x86_64 version 10.2.2"). Pure logic, unit-tested; qemu_compat.c
 * does the probing.
 */
#ifndef BACKDOOR_PLUGIN_QEMU_VERSION_H
#define BACKDOOR_PLUGIN_QEMU_VERSION_H

#include <stdbool.h>
#include <stddef.h>

/* The plugin API levels this build speaks, and the QEMU releases they came
 * with (docs/qemu-versions.md). */
#define QEMU_API_OLDEST 2
#define QEMU_API_NEWEST 7
#define QEMU_OLDEST_RELEASE "9.0"
#define QEMU_NEWEST_RELEASE "11.1"
#define QEMU_NEWEST_MAJOR 11
#define QEMU_NEWEST_MINOR 1

struct qemu_release {
    int major, minor, micro; /* all 0: not found */
};

/* What the running QEMU exports. */
struct qemu_exports {
    bool scoreboard;     /* qemu_plugin_scoreboard_new: API 2, QEMU 9.0 */
    bool read_memory;    /* qemu_plugin_read_memory_vaddr: API 4, QEMU 9.2 */
    bool write_register; /* qemu_plugin_write_register: API 5, QEMU 10.1 */
    bool set_pc;         /* qemu_plugin_set_pc: API 6, QEMU 11.0 */
};

/* Finds QEMU's version text in len bytes of its read-only data. */
bool qemu_release_find(const char *data, size_t len, struct qemu_release *out);

/* The level to declare; 0 when the QEMU is older than QEMU_API_OLDEST. */
int qemu_api_to_declare(const struct qemu_exports *exports, const struct qemu_release *release);

/* A release after the newest this build knows (development versions of the
 * next one, x.y.50 and up, included). */
bool qemu_release_is_newer_than_known(const struct qemu_release *release);

#endif
