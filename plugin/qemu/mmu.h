/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Guest memory under the caller's rights (docs/abi.md, "Security model").
 * QEMU's plugin accessors read and write guest memory with a debugger's
 * rights: any mapped page, read-only or supervisor-only alike. In system
 * mode the plugin therefore walks the guest's page tables itself and lets
 * a buffer through only if the calling code could access every byte:
 * user-accessible pages for user-level callers, writable pages for a
 * receive. One walker per architecture, named by its descriptor (translate/arch.h).
 */
#ifndef BACKDOOR_PLUGIN_QEMU_MMU_H
#define BACKDOOR_PLUGIN_QEMU_MMU_H

#include <stdbool.h>
#include <stdint.h>

struct vcpu; /* qemu/vcpu.h */

enum mmu_verdict {
    MMU_ALLOWED,
    MMU_DENIED,  /* not present, or not accessible to the caller */
    MMU_UNKNOWN, /* the walker cannot tell (a translation regime it does not
                  * know, page tables out of reach) */
};

/* The rights a walk checks. */
struct mmu_access {
    bool user;  /* the caller runs at the architecture's user level */
    bool write; /* a receive: the host writes */
};

/*
 * Checks the page holding vaddr; *page_end is set to the first address
 * after that page (the page size of the mapping found), so a range is
 * checked one mapping at a time.
 */
typedef enum mmu_verdict (*mmu_walker)(struct vcpu *vcpu, uint64_t vaddr,
                                       const struct mmu_access *access, uint64_t *page_end);


enum mmu_verdict mmu_x86_walk(struct vcpu *vcpu, uint64_t vaddr,
                              const struct mmu_access *access, uint64_t *page_end);
enum mmu_verdict mmu_aarch64_walk(struct vcpu *vcpu, uint64_t vaddr,
                                  const struct mmu_access *access, uint64_t *page_end);
enum mmu_verdict mmu_riscv64_walk(struct vcpu *vcpu, uint64_t vaddr,
                                  const struct mmu_access *access, uint64_t *page_end);

/* A page-table entry at a guest physical address; false if out of reach
 * (plugin API < 5 cannot read physical memory). */
bool mmu_read_entry(struct vcpu *vcpu, uint64_t paddr, unsigned size, uint64_t *entry);

/* A register by its QEMU name (alternatives separated by '|'); false if
 * this QEMU target has none. */
bool mmu_register(struct vcpu *vcpu, const char *names, uint64_t *value);

#endif
