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

bool qemu_release_is_newer_than_known(const struct qemu_release *r)
{
    if (r->major != QEMU_NEWEST_MAJOR) {
        return r->major > QEMU_NEWEST_MAJOR;
    }
    return r->minor > QEMU_NEWEST_MINOR || (r->minor == QEMU_NEWEST_MINOR && r->micro >= 50);
}

int qemu_api_to_declare(const struct qemu_exports *exports, const struct qemu_release *release)
{
    if (!exports->scoreboard) {
        return 0;
    }
    if (!exports->read_memory) {
        return 2; /* 9.0 and 9.1 both accept 2 */
    }
    if (!exports->write_register) {
        return 4;
    }
    if (!exports->set_pc) {
        return 5;
    }
    /* 11.0 (and its stable releases) speaks 6; 11.1 accepts only 7. A
     * QEMU without a readable version is taken as the newer one: that is
     * what distributions ship. */
    bool release_11_0 = release->major == 11 && release->minor == 0 && release->micro < 50;
    return release_11_0 ? 6 : QEMU_API_NEWEST;
}
