/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * QEMU's accelerator options (core/accelerator.h), as qemu-backdoor's
 * refusal reads them (tools/qemu-backdoor/run.c): one dash or two,
 * "-accel kvm", "-accel accel=kvm", "-machine ...,accel=kvm".
 */
#include "core/accelerator.h"

#include <glib.h>
#include <string.h>

static bool names_other_than_tcg(const char *accel)
{
    return accel != NULL && accel[0] != '\0' && strncmp(accel, "tcg", 3) != 0;
}

bool accelerator_other_than_tcg(void)
{
    gchar *text = NULL;
    gsize len = 0;
    if (!g_file_get_contents("/proc/self/cmdline", &text, &len, NULL)) {
        return true; /* cannot tell: keep the hint */
    }
    bool other = false;
    const char *end = text + len;
    for (const char *word = text; word < end && !other; word += strlen(word) + 1) {
        const char *next = word + strlen(word) + 1;
        const char *value = next < end ? next : NULL;
        const char *option = strncmp(word, "--", 2) == 0 ? word + 1 : word;
        if (strcmp(option, "-enable-kvm") == 0) {
            other = true;
        } else if (strcmp(option, "-accel") == 0 && value != NULL) {
            other = names_other_than_tcg(strncmp(value, "accel=", 6) == 0 ? value + 6 : value);
        } else if ((strcmp(option, "-M") == 0 || strcmp(option, "-machine") == 0) &&
                   value != NULL) {
            const char *at = strstr(value, "accel=");
            other = at != NULL && (at == value || at[-1] == ',') && names_other_than_tcg(at + 6);
        }
    }
    g_free(text);
    return other;
}
