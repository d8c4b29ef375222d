/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What every page-table walker needs (qemu/mmu.h). */
#include "qemu/mmu.h"

#include <string.h>

#include "qemu/qemu_compat.h"
#include "qemu/registers.h"

bool mmu_read_entry(struct vcpu *vcpu, uint64_t paddr, unsigned size, uint64_t *entry)
{
    if (qemu_plugin_read_memory_hwaddr == NULL || qemu_api_level() < 5) {
        return false;
    }
    GByteArray *buf = vcpu->mem_buf;
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

mmu_walker mmu_walker_for_target(const char *target)
{
    static const struct {
        const char *target;
        mmu_walker walk;
    } walkers[] = {
        {"x86_64", mmu_x86_walk},
        {"i386", mmu_x86_walk},
        {"aarch64", mmu_aarch64_walk},
        {"riscv64", mmu_riscv64_walk},
    };
    for (size_t i = 0; i < sizeof walkers / sizeof walkers[0]; i++) {
        if (strcmp(walkers[i].target, target) == 0) {
            return walkers[i].walk;
        }
    }
    return NULL;
}
