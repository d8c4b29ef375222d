/* SPDX-License-Identifier: MIT */
/*
 * Optional 32-bit paging (non-PAE, 4 KiB pages), so tests can give the
 * backdoor buffers whose virtual and physical layouts differ: the first
 * 16 MiB are identity-mapped (kernel, stack, and every physical frame a test
 * uses is reachable at its own address), and any other virtual page can be
 * pointed at a chosen frame or left unmapped.
 */
#ifndef BAREMETAL_X86_PAGING_H
#define BAREMETAL_X86_PAGING_H

#include <stdbool.h>
#include <stdint.h>

#define PAGE_SIZE 4096u
#define PAGING_IDENTITY_LIMIT 0x01000000u /* 16 MiB */

/* Builds the identity map and turns paging on. */
void paging_enable(void);

/* Maps the 4 KiB page at virt to the frame at phys (both page-aligned),
 * writable; false if no page table is left for it. */
bool paging_map(uint32_t virt, uint32_t phys);

/* Leaves the page at virt unmapped: any access to it faults. */
void paging_unmap(uint32_t virt);

#endif
