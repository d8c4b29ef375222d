/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Which plugin API level to declare to the QEMU that opened the plugin.
 * QEMU reads qemu_plugin_version right after opening the plugin and refuses
 * a level outside its own range: QEMU 10.x accepts 2 to 4 or 5, QEMU 11.1
 * only 7. qemu-backdoor, which knows the QEMU it starts, passes the level
 * (qemu-api=); without it, the functions a QEMU exports tell the levels
 * with a marker apart, and where that leaves two levels that one QEMU
 * cannot both accept (6 and 7), the release decides, read from the version
 * text every QEMU binary carries ("QEMU emulator version 11.1.3",
 * "qemu-x86_64 version 10.2.2"). Pure logic, unit-tested; qemu_compat.c
 * does the probing, tools/qemu-backdoor the same from the binary's file.
 */
#ifndef BACKDOOR_PLUGIN_QEMU_VERSION_H
#define BACKDOOR_PLUGIN_QEMU_VERSION_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The plugin API levels this build speaks, one line each, oldest first:
 * the level detection below, qemu-backdoor's choice of the level to pass
 * (qemu-api=), docs/qemu-versions.md's table and README's are made from
 * it (scripts/gen-abi.py writes the texts, tests/test_abi.py checks them).
 *
 * X(level, marker, major, minor, oldest, releases, works, tested)
 *   level     the plugin API level
 *   marker    the QEMU function that came with the level, as a string: its
 *             export tells the level apart from the one before; NULL where
 *             the level exports the same names as the one before (then
 *             the release decides, if the newer QEMU refuses the older
 *             level)
 *   major, minor  the first QEMU release that speaks it
 *   oldest    the lowest level that release accepts
 *   releases  the releases that speak it, for the docs (the first is
 *             major.minor)
 *   works     what works with it, for the docs
 *   tested    what the tests run it with, for the docs
 */
#define QEMU_API_LEVELS(X)                                                                   \
    X(2, "qemu_plugin_scoreboard_new", 9, 0, 2, "9.0", "calls and arguments",               \
      "no binary available")                                                               \
    X(3, NULL, 9, 1, 2, "9.1", "calls and arguments", "no binary available")                 \
    X(4, "qemu_plugin_read_memory_vaddr", 9, 2, 2, "9.2, 10.0",                             \
      "calls, arguments, send buffers; results are off and the plugin says so at "          \
      "start-up; `backdoor_present()` returns 0",                                           \
      "Debian's 10.0.2 (bookworm-backports): system mode, x86-64")                          \
    X(5, "qemu_plugin_write_register", 10, 1, 2, "10.1, 10.2",                              \
      "everything; results and receive buffers need API 5",                                 \
      "10.2.2 built from Debian's source: user and system mode, all tests")                 \
    X(6, "qemu_plugin_set_pc", 11, 0, 2, "11.0", "everything", "no binary available")       \
    X(7, NULL, 11, 1, 7, "11.1", "everything",                                               \
      "Debian's 11.1.3 (trixie-backports): system mode, x86-64, aarch64, riscv64")

/* The first and last lines of the table (tests/unit/test_qemu_version.c
 * checks that they agree). */
#define QEMU_API_OLDEST 2
#define QEMU_API_NEWEST 7
#define QEMU_OLDEST_RELEASE "9.0"
#define QEMU_NEWEST_RELEASE "11.1"

struct qemu_api_level {
    int level;
    const char *marker;
    int major, minor;
    int oldest;
};
extern const struct qemu_api_level qemu_api_levels[];
extern const size_t qemu_api_level_count;

/* Whether level is one of the table's. */
bool qemu_api_level_known(int level);

struct qemu_release {
    int major, minor, micro; /* all 0: not found */
};

/* Finds QEMU's version text in len bytes of its executable's data. */
bool qemu_release_find(const char *data, size_t len, struct qemu_release *out);

/* Whether the running QEMU must be asked for its release: the functions
 * it exports (bit L: level L's marker, qemu_api_markers_exported) leave
 * the level open, or name no level at all (a QEMU too old, named in the
 * message). */
bool qemu_api_needs_release(unsigned exported);

/* The level to declare to a QEMU exporting these markers; release all 0
 * when unknown. 0 when the QEMU is older than QEMU_API_OLDEST. */
int qemu_api_to_declare(unsigned exported, const struct qemu_release *release);

/* The markers a QEMU exports, as the bits of qemu_api_to_declare;
 * exports(name, data) says whether it exports one. */
unsigned qemu_api_markers_exported(bool (*exports)(const char *name, void *data), void *data);

/* The value of the plugin option qemu-api= in QEMU's command line (its
 * words, NUL-separated, as /proc/self/cmdline has them), given where
 * qemu-backdoor found the level; 0 if absent or not a level of the table. */
int qemu_api_from_command_line(const char *words, size_t len);

/* A release after the newest this build knows (development versions of the
 * next one, x.y.50 and up, included). */
bool qemu_release_is_newer_than_known(const struct qemu_release *release);

#endif
