/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Guest memory. QEMU's accessors walk the guest page tables page by page
 * and stop at the first unmapped one, after copying the pages before it; so
 * a write is preceded by a probe of every page, which makes a partially
 * mapped buffer fail before a single byte moves.
 *
 * In system mode (plugin API 5) a caller's buffer is then read and written
 * at the physical addresses its translation gives, with ordinary accesses:
 * what the caller's own loads and stores would do, no more. QEMU's virtual
 * accessors have a debugger's rights and write ROM, which a guest's store
 * never can; QEMU tells a plugin nothing else about what a physical address
 * is, so this is how a buffer over ROM or a device stays within the
 * caller's reach.
 */
#include "qemu/memory.h"

#include <string.h>

#include "qemu/mmu.h"
#include "qemu/qemu_compat.h"
#include "qemu/registers.h"

static bool system_mode;
static mmu_walker walker;
static bool physical; /* callers' buffers through physical accesses */

void memory_init(mmu_walker walk_pages, bool system)
{
    system_mode = system;
    walker = walk_pages;
    physical = system && qemu_caps.physical_memory;
}

/* Physical accesses go page by page: the smallest page of any target. */
#define PHYSICAL_CHUNK 4096u

static size_t chunk_at(uint64_t vaddr, size_t left)
{
    size_t in_page = PHYSICAL_CHUNK - (size_t)(vaddr & (PHYSICAL_CHUNK - 1));
    return left < in_page ? left : in_page;
}

/* Whether every page of the buffer translates (no memory is touched). */
static bool physical_mapped(uint64_t vaddr, size_t len)
{
    for (size_t done = 0; done < len;) {
        uint64_t paddr;
        if (!qemu_plugin_translate_vaddr(vaddr + done, &paddr)) {
            return false;
        }
        done += chunk_at(vaddr + done, len - done);
    }
    return true;
}

/* One page's part of a physical copy: n bytes at paddr, offset bytes into
 * the buffer. False stops the copy. */
typedef bool (*page_copy)(uint64_t paddr, size_t offset, size_t n, void *data);

/* Runs copy on every page of the buffer, once every page translates. */
static bool physical_copy(uint64_t vaddr, size_t len, page_copy copy, void *data)
{
    if (!physical_mapped(vaddr, len)) {
        return false;
    }
    for (size_t done = 0; done < len;) {
        size_t n = chunk_at(vaddr + done, len - done);
        uint64_t paddr;
        if (!qemu_plugin_translate_vaddr(vaddr + done, &paddr) || !copy(paddr, done, n, data)) {
            return false;
        }
        done += n;
    }
    return true;
}

struct page_transfer {
    GByteArray *page; /* scratch: the vCPU's register buffer, idle meanwhile */
    GByteArray *into; /* reads: the buffer's bytes, appended */
    const uint8_t *from; /* writes: the bytes to store */
};

static bool read_page(uint64_t paddr, size_t offset, size_t n, void *data)
{
    struct page_transfer *t = data;
    (void)offset;
    if (qemu_plugin_read_memory_hwaddr(paddr, t->page, n) != 0 || t->page->len != n) {
        return false;
    }
    g_byte_array_append(t->into, t->page->data, (guint)n);
    return true;
}

static bool write_page(uint64_t paddr, size_t offset, size_t n, void *data)
{
    struct page_transfer *t = data;
    g_byte_array_set_size(t->page, 0);
    g_byte_array_append(t->page, t->from + offset, (guint)n);
    return qemu_plugin_write_memory_hwaddr(paddr, t->page) == 0;
}

/* Reads len bytes at vaddr into vcpu->mem_buf, page by page. */
static bool physical_read(struct vcpu *vcpu, uint64_t vaddr, size_t len)
{
    struct page_transfer t = {vcpu->reg_buf, vcpu->mem_buf, NULL};
    return physical_copy(vaddr, len, read_page, &t);
}

/* Writes src to vaddr, page by page. */
static bool physical_write(struct vcpu *vcpu, uint64_t vaddr, const uint8_t *src, size_t len)
{
    struct page_transfer t = {vcpu->reg_buf, NULL, src};
    return physical_copy(vaddr, len, write_page, &t);
}

/*
 * Whether the code that issued the call could access every byte of the
 * buffer itself (qemu/mmu.h). User mode has one privilege level: QEMU's
 * own page checks are the caller's. Kernel-level code may read whatever is
 * mapped (it could anyway), but writes only where its page tables allow.
 * A walk that cannot tell refuses user-level code and trusts the kernel.
 */
static bool caller_may_access(struct vcpu *vcpu, uint64_t vaddr, size_t len, bool write)
{
    if (!system_mode || len == 0) {
        return true;
    }
    struct mmu_access access = {guest_is_user_level(guest_privilege_level(vcpu)), write};
    if (!access.user && !write) {
        return true;
    }
    if (walker == NULL) {
        return !access.user;
    }
    uint64_t last = vaddr + (len - 1);
    for (uint64_t page = vaddr;;) {
        uint64_t page_end = 0;
        switch (walker(vcpu, page, &access, &page_end)) {
        case MMU_ALLOWED:
            break;
        case MMU_DENIED:
            return false;
        case MMU_UNKNOWN:
            return !access.user;
        }
        if (page_end == 0 || page_end - 1 >= last || page_end <= page) {
            return true;
        }
        page = page_end;
    }
}

/* The smallest page of any supported target; probing at this stride is
 * correct for larger pages too. */
#define PROBE_STRIDE 4096u

static bool range_wraps(uint64_t vaddr, size_t len)
{
    return len != 0 && vaddr + (len - 1) < vaddr;
}

bool guest_range_mapped(struct vcpu *vcpu, uint64_t vaddr, size_t len)
{
    if (len == 0) {
        return true;
    }
    if (!qemu_caps.read_memory) {
        return false;
    }
    if (range_wraps(vaddr, len)) {
        return false;
    }
    uint64_t last = vaddr + (len - 1);
    uint64_t page = vaddr & ~(uint64_t)(PROBE_STRIDE - 1);
    for (;;) {
        uint64_t probe = page < vaddr ? vaddr : page;
        if (!qemu_plugin_read_memory_vaddr(probe, vcpu->mem_buf, 1)) {
            return false;
        }
        if (last - page < PROBE_STRIDE) {
            break;
        }
        page += PROBE_STRIDE;
    }
    return qemu_plugin_read_memory_vaddr(last, vcpu->mem_buf, 1);
}

static const uint8_t *copy_in(struct vcpu *vcpu, uint64_t vaddr, size_t len)
{
    g_byte_array_set_size(vcpu->mem_buf, 0);
    if (len == 0) {
        return vcpu->mem_buf->data;
    }
    if (!qemu_caps.read_memory || range_wraps(vaddr, len) ||
        !qemu_plugin_read_memory_vaddr(vaddr, vcpu->mem_buf, len)) {
        return NULL;
    }
    return vcpu->mem_buf->data;
}

const uint8_t *guest_copy_in(struct vcpu *vcpu, uint64_t vaddr, size_t len)
{
    if (range_wraps(vaddr, len) || !caller_may_access(vcpu, vaddr, len, false)) {
        return NULL;
    }
    if (physical && len != 0) {
        g_byte_array_set_size(vcpu->mem_buf, 0);
        return physical_read(vcpu, vaddr, len) ? vcpu->mem_buf->data : NULL;
    }
    return copy_in(vcpu, vaddr, len);
}

long guest_read_string(struct vcpu *vcpu, uint64_t vaddr, char *dest, size_t cap)
{
    /* The register scratch: the send buffer holds the call's data. */
    GByteArray *scratch = vcpu->reg_buf;
    for (size_t done = 0; done < cap;) {
        size_t n = chunk_at(vaddr + done, cap - done);
        uint64_t at = vaddr + done, paddr;
        if (range_wraps(at, n) || !caller_may_access(vcpu, at, n, false)) {
            return -1;
        }
        bool read;
        if (physical) {
            read = qemu_plugin_translate_vaddr(at, &paddr) &&
                   qemu_plugin_read_memory_hwaddr(paddr, scratch, n) == 0;
        } else {
            read = qemu_caps.read_memory && qemu_plugin_read_memory_vaddr(at, scratch, n);
        }
        if (!read || scratch->len != n) {
            return -1;
        }
        memcpy(dest + done, scratch->data, n);
        const char *nul = memchr(dest + done, '\0', n);
        if (nul != NULL) {
            return (long)(nul - dest);
        }
        done += n;
    }
    return (long)cap;
}

bool guest_buffer_writable(struct vcpu *vcpu, uint64_t vaddr, size_t len)
{
    /* Translating probes no memory, where the probe reads would read a
     * device's registers. */
    return !range_wraps(vaddr, len) && caller_may_access(vcpu, vaddr, len, true) &&
           (physical ? physical_mapped(vaddr, len) : guest_range_mapped(vcpu, vaddr, len));
}

bool guest_read(struct vcpu *vcpu, uint64_t vaddr, void *dest, size_t len)
{
    const uint8_t *bytes = copy_in(vcpu, vaddr, len);
    if (bytes == NULL) {
        return false;
    }
    memcpy(dest, bytes, len);
    return true;
}

bool guest_write(struct vcpu *vcpu, uint64_t vaddr, const void *src,
                 size_t len)
{
    if (!qemu_caps.write_memory) {
        return false;
    }
    if (len == 0) {
        return true;
    }
    if (!guest_range_mapped(vcpu, vaddr, len)) {
        return false;
    }
    g_byte_array_set_size(vcpu->mem_buf, 0);
    g_byte_array_append(vcpu->mem_buf, src, (guint)len);
    return qemu_plugin_write_memory_vaddr(vaddr, vcpu->mem_buf);
}

bool guest_copy_out(struct vcpu *vcpu, uint64_t vaddr, const void *src, size_t len)
{
    if (!physical || len == 0) {
        return guest_write(vcpu, vaddr, src, len);
    }
    return qemu_caps.write_memory && physical_write(vcpu, vaddr, src, len);
}
