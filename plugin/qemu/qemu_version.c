/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Choosing the plugin API level to declare (qemu_version.h). */
#include "qemu/qemu_version.h"

#include <string.h>

static const char *parse_number(const char *p, const char *end, int *value)
{
    if (p >= end || *p < '0' || *p > '9') {
        return NULL;
    }
    *value = 0;
    while (p < end && *p >= '0' && *p <= '9' && *value < 100000) {
        *value = *value * 10 + (*p++ - '0');
    }
    return p;
}

/* "X.Y.Z" at p; Z may be missing (X.Y). */
static bool parse_release(const char *p, const char *end, struct qemu_release *out)
{
    struct qemu_release r = {0, 0, 0};
    p = parse_number(p, end, &r.major);
    if (p == NULL || p >= end || *p != '.' || (p = parse_number(p + 1, end, &r.minor)) == NULL) {
        return false;
    }
    if (p < end && *p == '.' && parse_number(p + 1, end, &r.micro) == NULL) {
        return false;
    }
    *out = r;
    return true;
}

/*
 * The word before " version " names the program: "QEMU emulator" in system
 * emulators, "qemu-<target>" in user-mode ones. Anything else (a library's
 * or a device's version string) is not QEMU's own.
 */
static bool names_qemu(const char *data, const char *version_word)
{
    static const char system_name[] = "QEMU emulator";
    size_t system_len = sizeof system_name - 1;
    if ((size_t)(version_word - data) >= system_len &&
        memcmp(version_word - system_len, system_name, system_len) == 0) {
        return true;
    }
    const char *start = version_word;
    while (start > data && start[-1] > ' ' && start[-1] < 0x7f && version_word - start < 40) {
        start--;
    }
    return version_word - start > 5 && memcmp(start, "qemu-", 5) == 0 &&
           (start == data || start[-1] == '\0' || start[-1] == '\n');
}

bool qemu_release_find(const char *data, size_t len, struct qemu_release *out)
{
    static const char marker[] = " version ";
    const size_t marker_len = sizeof marker - 1;
    const char *end = data + len;
    const char *p = data;
    while ((size_t)(end - p) > marker_len) {
        const char *hit = memmem(p, (size_t)(end - p), marker, marker_len);
        if (hit == NULL) {
            return false;
        }
        if (names_qemu(data, hit) && parse_release(hit + marker_len, end, out)) {
            return true;
        }
        p = hit + 1;
    }
    return false;
}

const struct qemu_api_level qemu_api_levels[] = {
#define QEMU_API_LEVEL(level, marker, major, minor, oldest, releases, works, tested) \
    {level, marker, major, minor, oldest},
    QEMU_API_LEVELS(QEMU_API_LEVEL)
#undef QEMU_API_LEVEL
};
const size_t qemu_api_level_count = sizeof qemu_api_levels / sizeof qemu_api_levels[0];

bool qemu_api_level_known(int level)
{
    for (size_t i = 0; i < qemu_api_level_count; i++) {
        if (qemu_api_levels[i].level == level) {
            return true;
        }
    }
    return false;
}

static bool release_reaches(const struct qemu_release *r, int major, int minor)
{
    return r->major != major ? r->major > major : r->minor >= minor;
}

/* The index of the level a release speaks, or -1 before the oldest. A
 * development version (x.y.50 and up) is the next release's: the level
 * after x.y's. */
static int level_of_release(const struct qemu_release *r)
{
    int found = -1;
    for (size_t i = 0; i < qemu_api_level_count; i++) {
        if (release_reaches(r, qemu_api_levels[i].major, qemu_api_levels[i].minor)) {
            found = (int)i;
        }
    }
    if (found >= 0 && r->micro >= 50 && (size_t)found + 1 < qemu_api_level_count) {
        found++;
    }
    return found;
}

bool qemu_release_is_newer_than_known(const struct qemu_release *r)
{
    const struct qemu_api_level *newest = &qemu_api_levels[qemu_api_level_count - 1];
    if (r->major != newest->major) {
        return r->major > newest->major;
    }
    return r->minor > newest->minor || (r->minor == newest->minor && r->micro >= 50);
}

unsigned qemu_api_markers_exported(bool (*exports)(const char *name, void *data), void *data)
{
    unsigned exported = 0;
    for (size_t i = 0; i < qemu_api_level_count; i++) {
        if (qemu_api_levels[i].marker != NULL && exports(qemu_api_levels[i].marker, data)) {
            exported |= 1u << qemu_api_levels[i].level;
        }
    }
    return exported;
}

/* The newest level whose marker is exported, and the last level that
 * exports the same names (the lines without a marker after it): indexes
 * into the table, first -1 if none. */
static void candidates(unsigned exported, int *first, int *last)
{
    *first = -1;
    for (size_t i = 0; i < qemu_api_level_count; i++) {
        if (qemu_api_levels[i].marker != NULL && (exported >> qemu_api_levels[i].level & 1)) {
            *first = (int)i;
        }
    }
    *last = *first;
    while (*first >= 0 && (size_t)*last + 1 < qemu_api_level_count &&
           qemu_api_levels[*last + 1].marker == NULL) {
        (*last)++;
    }
}

bool qemu_api_needs_release(unsigned exported)
{
    int first, last;
    candidates(exported, &first, &last);
    if (first < 0) {
        return true;
    }
    /* The newer levels that share the exports: one that refuses the
     * marker's level needs the release to tell. */
    for (int i = first + 1; i <= last; i++) {
        if (qemu_api_levels[i].oldest > qemu_api_levels[first].level) {
            return true;
        }
    }
    return false;
}

int qemu_api_to_declare(unsigned exported, const struct qemu_release *release)
{
    int first, last;
    candidates(exported, &first, &last);
    if (first < 0) {
        return 0;
    }
    if (!qemu_api_needs_release(exported)) {
        return qemu_api_levels[first].level;
    }
    /* A QEMU without a readable version is taken as the newest of the
     * candidates: that is what distributions ship. */
    int by_release = release->major == 0 ? last : level_of_release(release);
    int chosen = by_release < first ? first : by_release > last ? last : by_release;
    return qemu_api_levels[chosen].level;
}

int qemu_api_from_command_line(const char *words, size_t len)
{
    static const char key[] = "qemu-api=";
    const size_t key_len = sizeof key - 1;
    const char *end = words + len;
    bool plugin_value = false;
    for (const char *w = words; w < end;) {
        size_t wlen = strnlen(w, (size_t)(end - w));
        /* The value of -plugin: KEY=VALUE items separated by commas (",,"
         * is a comma inside a value, which a level never holds). */
        for (const char *item = w; plugin_value && item < w + wlen;) {
            const char *comma = memchr(item, ',', (size_t)(w + wlen - item));
            const char *stop = comma != NULL ? comma : w + wlen;
            int level = 0;
            if ((size_t)(stop - item) > key_len && memcmp(item, key, key_len) == 0 &&
                parse_number(item + key_len, stop, &level) == stop &&
                qemu_api_level_known(level)) {
                return level;
            }
            item = stop + 1;
        }
        plugin_value = (wlen == 7 && memcmp(w, "-plugin", 7) == 0) ||
                       (wlen == 8 && memcmp(w, "--plugin", 8) == 0);
        w += wlen + 1;
    }
    return 0;
}
