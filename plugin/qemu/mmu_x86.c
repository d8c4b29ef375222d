/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * x86 page tables: 32-bit (4 KiB and, with CR4.PSE, 4 MiB pages), PAE, and
 * long mode with 4 or 5 levels. An access needs every level present; a
 * user-level access needs U/S set at every level; a write needs R/W set at
 * every level, for supervisor code only when CR0.WP is set (as the CPU
 * checks it).
 */
#include "qemu/mmu.h"

#define CR0_PG (1ull << 31)
#define CR0_WP (1ull << 16)
#define CR4_PSE (1ull << 4)
#define CR4_PAE (1ull << 5)
#define CR4_LA57 (1ull << 12)
#define EFER_LMA (1ull << 10)

#define PTE_P (1ull << 0)
#define PTE_RW (1ull << 1)
#define PTE_US (1ull << 2)
#define PTE_PS (1ull << 7)
#define ADDR_MASK 0x000ffffffffff000ull

struct regime {
    int levels;       /* table levels walked */
    unsigned entry;   /* bytes per entry */
    int top_shift;    /* address bit of the top level's index */
    int index_bits;   /* bits of index per level (the top level may use fewer) */
    uint64_t root;    /* physical address of the top table */
};

enum mmu_verdict mmu_x86_walk(struct vcpu *vcpu, uint64_t vaddr,
                              const struct mmu_access *access, uint64_t *page_end)
{
    uint64_t cr0, cr3, cr4, efer = 0;
    if (!mmu_register(vcpu, "cr0", &cr0) || !mmu_register(vcpu, "cr3", &cr3) ||
        !mmu_register(vcpu, "cr4", &cr4)) {
        return MMU_UNKNOWN;
    }
    mmu_register(vcpu, "efer", &efer);
    if (!(cr0 & CR0_PG)) {
        /* No paging: one flat space, which only code at CPL 0 runs in
         * practice; every address is as accessible as the hardware makes
         * it. */
        *page_end = (vaddr | 0xfff) + 1;
        return MMU_ALLOWED;
    }
    struct regime r;
    if (efer & EFER_LMA) {
        r = (struct regime){(cr4 & CR4_LA57) ? 5 : 4, 8, (cr4 & CR4_LA57) ? 48 : 39, 9,
                            cr3 & ADDR_MASK};
    } else if (cr4 & CR4_PAE) {
        r = (struct regime){3, 8, 30, 9, cr3 & 0xffffffe0ull};
        vaddr &= 0xffffffffull;
    } else {
        r = (struct regime){2, 4, 22, 10, cr3 & 0xfffff000ull};
        vaddr &= 0xffffffffull;
    }
    bool pae_pdpt = r.levels == 3;
    uint64_t table = r.root;
    bool user_ok = true, write_ok = true;
    int shift = r.top_shift;
    for (int level = 0; level < r.levels; level++, shift -= r.index_bits) {
        unsigned index_bits = pae_pdpt && level == 0 ? 2 : (unsigned)r.index_bits;
        uint64_t index = (vaddr >> shift) & ((1ull << index_bits) - 1);
        uint64_t entry;
        if (!mmu_read_entry(vcpu, table + index * r.entry, r.entry, &entry)) {
            return MMU_UNKNOWN;
        }
        if (!(entry & PTE_P)) {
            return MMU_DENIED;
        }
        /* A PAE PDPTE carries no R/W or U/S bits. */
        if (!(pae_pdpt && level == 0)) {
            user_ok &= (entry & PTE_US) != 0;
            write_ok &= (entry & PTE_RW) != 0;
        }
        /* Large pages: 1 GiB and 2 MiB in the two levels above the last
         * (never in a PDPTE of PAE), 4 MiB in 32-bit paging with PSE. */
        bool can_be_large = level < r.levels - 1 && level >= r.levels - 3 &&
                            !(pae_pdpt && level == 0) && (r.entry == 8 || (cr4 & CR4_PSE));
        bool large = can_be_large && (entry & PTE_PS);
        bool last = level == r.levels - 1 || large;
        if (last) {
            *page_end = (vaddr | ((1ull << shift) - 1)) + 1;
            break;
        }
        table = r.entry == 8 ? entry & ADDR_MASK : entry & 0xfffff000ull;
    }
    if (access->user && !user_ok) {
        return MMU_DENIED;
    }
    if (access->write && !write_ok && (access->user || (cr0 & CR0_WP))) {
        return MMU_DENIED;
    }
    return MMU_ALLOWED;
}
