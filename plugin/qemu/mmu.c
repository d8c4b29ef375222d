/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What every page-table walker needs (qemu/mmu.h). */
#include "qemu/mmu.h"

#include <string.h>

#include "qemu/qemu_compat.h"
#include "qemu/registers.h"

bool mmu_read_entry(struct vcpu *vcpu, uint64_t paddr, unsigned size, uint64_t *entry)
{
    if (!qemu_caps.physical_memory) {
        return false;
    }
    /* The register scratch, not mem_buf: a writefile checks its name's
     * pages with the call's data already in mem_buf. */
    GByteArray *buf = vcpu->reg_buf;
    g_byte_array_set_size(buf, 0);
    if (qemu_plugin_read_memory_hwaddr(paddr, buf, size) != 0 || buf->len < size) {
        return false;
    }
    /* Little-endian page tables on every supported target. */
    uint64_t value = 0;
    for (unsigned i = size; i-- > 0;) {
        value = value << 8 | buf->data[i];
    }
    *entry = value;
    return true;
}

bool mmu_register(struct vcpu *vcpu, const char *names, uint64_t *value)
{
    struct qemu_plugin_register *reg = reg_find(names);
    if (reg == NULL) {
        return false;
    }
    *value = reg_read(vcpu, reg);
    return true;
}

