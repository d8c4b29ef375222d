/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RISC-V Sv39, Sv48 and Sv57 page tables (satp). A leaf has R or X set; a
 * user-level access needs U on the leaf, a write needs W. Bare translation
 * (satp mode 0, and M-mode, which never translates) is one flat space.
 */
#include "qemu/mmu.h"

#define PTE_V (1ull << 0)
#define PTE_R (1ull << 1)
#define PTE_W (1ull << 2)
#define PTE_X (1ull << 3)
#define PTE_U (1ull << 4)

enum mmu_verdict mmu_riscv64_walk(struct vcpu *vcpu, uint64_t vaddr,
                                  const struct mmu_access *access, uint64_t *page_end)
{
    uint64_t satp, priv = 0;
    if (!mmu_register(vcpu, "satp", &satp)) {
        return MMU_UNKNOWN;
    }
    mmu_register(vcpu, "priv", &priv);
    unsigned mode = (unsigned)(satp >> 60);
    if (mode == 0 || priv == 3) {
        *page_end = (vaddr | 0xfff) + 1;
        return MMU_ALLOWED;
    }
    int levels = mode == 8 ? 3 : mode == 9 ? 4 : mode == 10 ? 5 : 0;
    if (levels == 0) {
        return MMU_UNKNOWN;
    }
    uint64_t table = (satp & ((1ull << 44) - 1)) << 12;
    for (int level = levels - 1; level >= 0; level--) {
        int shift = 12 + 9 * level;
        uint64_t entry;
        if (!mmu_read_entry(vcpu, table + ((vaddr >> shift) & 0x1ff) * 8, 8, &entry)) {
            return MMU_UNKNOWN;
        }
        if (!(entry & PTE_V)) {
            return MMU_DENIED;
        }
        if (entry & (PTE_R | PTE_X)) {
            *page_end = (vaddr | ((1ull << shift) - 1)) + 1;
            if ((access->user && !(entry & PTE_U)) || (access->write && !(entry & PTE_W)) ||
                !(entry & PTE_R)) {
                return MMU_DENIED;
            }
            return MMU_ALLOWED;
        }
        table = ((entry >> 10) & ((1ull << 44) - 1)) << 12;
    }
    return MMU_DENIED;
}
