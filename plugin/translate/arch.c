/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The table of supported guest architectures. */
#include "translate/arch.h"

#include <string.h>

static const struct arch *const arches[] = {
    &arch_x86,
    &arch_aarch64,
    &arch_riscv64,
};

uint32_t arch_load_le32(const uint8_t *bytes)
{
    return (uint32_t)bytes[0] | (uint32_t)bytes[1] << 8 |
           (uint32_t)bytes[2] << 16 | (uint32_t)bytes[3] << 24;
}

int arch_no_constant_load(const uint8_t *insn, size_t len, uint64_t *value)
{
    (void)insn, (void)len, (void)value;
    return -1;
}

const struct arch *arch_for_target(const char *target_name)
{
    if (target_name == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < sizeof arches / sizeof arches[0]; i++) {
        for (const char *const *t = arches[i]->targets; *t != NULL; t++) {
            if (strcmp(*t, target_name) == 0) {
                return arches[i];
            }
        }
    }
    return NULL;
}

const char *arch_supported_targets(void)
{
    static char list[256];
    if (list[0] == '\0') {
        for (size_t i = 0; i < sizeof arches / sizeof arches[0]; i++) {
            for (const char *const *t = arches[i]->targets; *t != NULL; t++) {
                if (list[0] != '\0') {
                    strncat(list, ", ", sizeof list - strlen(list) - 1);
                }
                strncat(list, *t, sizeof list - strlen(list) - 1);
            }
        }
    }
    return list;
}
