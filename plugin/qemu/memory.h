/* SPDX-License-Identifier: GPL-2.0-or-later */
/* All-or-nothing access to the calling vCPU's guest virtual memory. */
#ifndef BACKDOOR_PLUGIN_QEMU_MEMORY_H
#define BACKDOOR_PLUGIN_QEMU_MEMORY_H

#include <stddef.h>
#include <stdint.h>

#include "qemu/mmu.h"
#include "qemu/vcpu.h"

/* Handler services (trusted host code, with a debugger's rights): copies
 * len bytes at vaddr into dest; false (nothing copied) if any byte is
 * unmapped. */
bool guest_read(struct vcpu *vcpu, uint64_t vaddr, void *dest, size_t len);

/* At install: system mode checks buffers against the caller's rights with
 * the target's page-table walker (qemu/mmu.h). */
void memory_init(mmu_walker walk_pages, bool system_mode);

/*
 * A send buffer: the len bytes at vaddr, in the vCPU's scratch buffer
 * (valid until the next guest memory access), or NULL if any byte is
 * unmapped or not readable by the code that issued the call.
 */
const uint8_t *guest_copy_in(struct vcpu *vcpu, uint64_t vaddr, size_t len);

/*
 * A NUL-terminated string at vaddr (a writefile name), read as the caller
 * could: at most cap bytes, page by page, so a string ending just before an
 * unmapped page reads. Returns its length without the NUL, cap if none of
 * the cap bytes is NUL, -1 if a byte before the NUL is not readable. Leaves
 * the vCPU's send buffer (guest_copy_in) alone.
 */
long guest_read_string(struct vcpu *vcpu, uint64_t vaddr, char *dest, size_t cap);

/* A receive buffer: whether every byte is mapped and writable by the code
 * that issued the call; then guest_copy_out fills it. */
bool guest_buffer_writable(struct vcpu *vcpu, uint64_t vaddr, size_t len);

/* Fills a receive buffer as the caller's own stores would (system mode,
 * plugin API 5: ROM keeps its bytes, a device sees the writes), else as
 * guest_write; false (nothing written) if any page is unmapped. */
bool guest_copy_out(struct vcpu *vcpu, uint64_t vaddr, const void *src, size_t len);

/* Writes len bytes at vaddr; false (nothing written) if any byte is
 * unmapped or guest memory writes are unavailable (API < 5). */
bool guest_write(struct vcpu *vcpu, uint64_t vaddr, const void *src,
                 size_t len);

/* Whether every page of [vaddr, vaddr + len) is mapped. */
bool guest_range_mapped(struct vcpu *vcpu, uint64_t vaddr, size_t len);

#endif
