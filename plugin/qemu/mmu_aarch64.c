/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * AArch64 stage-1 translation at EL1&0 with the 4 KiB granule (what Linux
 * and most kernels use); other granules answer MMU_UNKNOWN. TTBR0_EL1 maps
 * the low range, TTBR1_EL1 the high one. An access needs valid descriptors
 * at every level; EL0 needs AP[1] on the leaf and no APTable[0] above it; a
 * write needs AP[2] clear on the leaf and no APTable[1] above it.
 */
#include "qemu/mmu.h"

#define SCTLR_M (1ull << 0)
#define DESC_VALID 1ull
#define DESC_TABLE 2ull
#define AP_EL0 (1ull << 6)
#define AP_RO (1ull << 7)
#define APTABLE_NO_EL0 (1ull << 61)
#define APTABLE_RO (1ull << 62)
#define OUTPUT_ADDR 0x0000fffffffff000ull

enum mmu_verdict mmu_aarch64_walk(struct vcpu *vcpu, uint64_t vaddr,
                                  const struct mmu_access *access, uint64_t *page_end)
{
    uint64_t sctlr, tcr, ttbr;
    if (!mmu_register(vcpu, "SCTLR_EL1|SCTLR", &sctlr)) {
        return MMU_UNKNOWN;
    }
    if (!(sctlr & SCTLR_M)) {
        *page_end = (vaddr | 0xfff) + 1;
        return MMU_ALLOWED;
    }
    if (!mmu_register(vcpu, "TCR_EL1", &tcr)) {
        return MMU_UNKNOWN;
    }
    bool high = (vaddr >> 63) != 0;
    unsigned tsz = (unsigned)(high ? (tcr >> 16) & 0x3f : tcr & 0x3f);
    unsigned granule = (unsigned)(high ? (tcr >> 30) & 3 : (tcr >> 14) & 3);
    /* TG0 4 KiB is 0b00, TG1 4 KiB is 0b10. */
    if (granule != (high ? 2u : 0u) || tsz < 16 || tsz > 39 ||
        !mmu_register(vcpu, high ? "TTBR1_EL1" : "TTBR0_EL1", &ttbr)) {
        return MMU_UNKNOWN;
    }
    unsigned va_bits = 64 - tsz;
    uint64_t top = vaddr >> va_bits;
    if (top != (high ? (1ull << tsz) - 1 : 0)) {
        return MMU_DENIED; /* outside both ranges: a translation fault */
    }
    int level = 4 - (int)((va_bits - 12 + 8) / 9); /* 48 bits: 0, 39: 1 */
    uint64_t table = ttbr & OUTPUT_ADDR;
    bool el0_ok = true, write_ok = true;
    for (; level <= 3; level++) {
        int shift = 12 + 9 * (3 - level);
        uint64_t entry;
        if (!mmu_read_entry(vcpu, table + ((vaddr >> shift) & 0x1ff) * 8, 8, &entry)) {
            return MMU_UNKNOWN;
        }
        if (!(entry & DESC_VALID) || (level == 3 && !(entry & DESC_TABLE))) {
            return MMU_DENIED;
        }
        if (level < 3 && (entry & DESC_TABLE)) {
            el0_ok &= !(entry & APTABLE_NO_EL0);
            write_ok &= !(entry & APTABLE_RO);
            table = entry & OUTPUT_ADDR;
            continue;
        }
        /* A block (levels 1 and 2) or a page (level 3). */
        *page_end = (vaddr | ((1ull << shift) - 1)) + 1;
        el0_ok &= (entry & AP_EL0) != 0;
        write_ok &= !(entry & AP_RO);
        if ((access->user && !el0_ok) || (access->write && !write_ok)) {
            return MMU_DENIED;
        }
        return MMU_ALLOWED;
    }
    return MMU_DENIED;
}
