/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The page-table walkers the architecture descriptors name, for host
 * programs that link the descriptors without QEMU (unit tests, fuzzers):
 * they decode instructions and never walk a guest's page tables.
 */
#include "qemu/mmu.h"

#define NO_WALK(name)                                                                   \
    enum mmu_verdict name(struct vcpu *vcpu, uint64_t vaddr,                            \
                          const struct mmu_access *access, uint64_t *page_end)          \
    {                                                                                   \
        (void)vcpu, (void)vaddr, (void)access, (void)page_end;                          \
        return MMU_UNKNOWN;                                                             \
    }
NO_WALK(mmu_x86_walk)
NO_WALK(mmu_aarch64_walk)
NO_WALK(mmu_riscv64_walk)
