/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Valgrind sequences (translate/valgrind.h). A preamble instruction's position
 * in the preamble is told by its bytes alone (the four rotate amounts
 * differ), so a block is classified from its own instructions: a complete
 * sequence, the head of a preamble that runs to the end of the block, or
 * the rest of one at the start of a block. Only the split cases cost a
 * callback on the preamble, and they are rare: a page boundary, a block
 * size limit, one-insn-per-tb, or a jump into the middle.
 */
#include "translate/valgrind.h"

#include <string.h>

#include "qemu/qemu_compat.h"
#include "qemu/vcpu.h"

/* Part of a preamble at the end of a block: what it sets when it runs. */
struct valgrind_chain {
    uint64_t start_pc; /* its first instruction */
    uint64_t end_pc;   /* the address after its last */
    uint32_t first;    /* position of its first instruction in the preamble */
    uint32_t count;
};

#define MAX_VALGRIND_SITES (1u << 16)

static GHashTable *sites;
static GMutex sites_lock;
static uint64_t dropped_sites;

static guint bytes_hash(gconstpointer key, size_t len)
{
    const uint8_t *b = key;
    guint h = 5381;
    for (size_t i = 0; i < len; i++) {
        h = h * 33 + b[i];
    }
    return h;
}

static guint site_hash(gconstpointer key)
{
    return bytes_hash(key, sizeof(struct valgrind_site));
}

static gboolean site_equal(gconstpointer a, gconstpointer b)
{
    return memcmp(a, b, sizeof(struct valgrind_site)) == 0;
}

static guint chain_hash(gconstpointer key)
{
    return bytes_hash(key, sizeof(struct valgrind_chain));
}

static gboolean chain_equal(gconstpointer a, gconstpointer b)
{
    return memcmp(a, b, sizeof(struct valgrind_chain)) == 0;
}

/* Shared copies, so that retranslating the same code does not grow memory;
 * NULL past the bound (the sequence is then not instrumented). */
static const void *intern(GHashTable **table, GHashFunc hash, GEqualFunc equal,
                          const void *candidate, size_t size)
{
    g_mutex_lock(&sites_lock);
    if (*table == NULL) {
        *table = g_hash_table_new(hash, equal);
    }
    void *found = g_hash_table_lookup(*table, candidate);
    if (found == NULL && g_hash_table_size(*table) < MAX_VALGRIND_SITES) {
        found = g_memdup2(candidate, size);
        g_hash_table_add(*table, found);
    } else if (found == NULL) {
        dropped_sites++;
    }
    g_mutex_unlock(&sites_lock);
    return found;
}

static GHashTable *chains;

struct insn_class {
    int flavor;   /* -1: neither preamble nor marker */
    int position; /* 0..3 in the preamble, or -1 for the marker */
    uint64_t pc, end;
};

static struct insn_class classify(struct qemu_plugin_tb *tb, size_t i, const struct arch *arch)
{
    struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
    uint8_t bytes[ARCH_MAX_INSN_BYTES];
    size_t len = qemu_insn_bytes(insn, bytes, sizeof bytes);
    struct insn_class c = {-1, -1, qemu_plugin_insn_vaddr(insn), 0};
    c.end = c.pc + qemu_plugin_insn_size(insn);
    for (unsigned f = 0; f < arch->n_valgrind; f++) {
        const struct valgrind_flavor *fl = &arch->valgrind[f];
        if (len == fl->marker_len && memcmp(bytes, fl->marker, len) == 0) {
            c.flavor = (int)f;
            return c;
        }
        for (int p = 0; p < VALGRIND_PREAMBLE_INSNS; p++) {
            if (len == fl->preamble_len && memcmp(bytes, fl->preamble[p], len) == 0) {
                c.flavor = (int)f;
                c.position = p;
                return c;
            }
        }
    }
    return c;
}

/*
 * The head of a split preamble sets the progress; a middle part (a block
 * made only of preamble instructions, as with one-insn-per-tb) advances it
 * only if the part before it ran right before, and resets it otherwise.
 */
static void on_chain(unsigned int vcpu_index, void *udata)
{
    const struct valgrind_chain *chain = udata;
    struct vcpu_counters *c = vcpu_counters(vcpu_index);
    if (chain->first == 0 ||
        (c->valgrind_progress == chain->first && c->valgrind_next_pc == chain->start_pc)) {
        c->valgrind_progress = chain->first + chain->count;
        c->valgrind_next_pc = chain->end_pc;
    } else {
        c->valgrind_progress = 0;
    }
}

long valgrind_first_marker(struct qemu_plugin_tb *tb, size_t n, const struct arch *arch)
{
    for (size_t i = 0; i < n && arch->n_valgrind > 0; i++) {
        struct insn_class c = classify(tb, i, arch);
        if (c.flavor >= 0 && c.position < 0) {
            return (long)i;
        }
    }
    return -1;
}

bool valgrind_site_armed(unsigned int vcpu_index, const struct valgrind_site *site)
{
    if (site->resumes == 0) {
        return true;
    }
    struct vcpu_counters *c = vcpu_counters(vcpu_index);
    bool armed = c->valgrind_progress == site->resumes && c->valgrind_next_pc == site->resume_pc;
    c->valgrind_progress = 0;
    return armed;
}

void valgrind_scan_block(struct qemu_plugin_tb *tb, size_t n, const struct arch *arch,
                         const uint32_t *slots, qemu_plugin_vcpu_udata_cb_t on_request)
{
    if (arch->n_valgrind == 0 || n == 0) {
        return;
    }
    struct insn_class *cls = g_new(struct insn_class, n);
    for (size_t i = 0; i < n; i++) {
        cls[i] = classify(tb, i, arch);
    }
    size_t block_start = 0; /* where Valgrind's block holding i begins */
    for (size_t i = 0; i < n; i++) {
        if (cls[i].flavor < 0 || cls[i].position >= 0) {
            continue;
        }
        /* A marker: the preamble instructions right before it, backwards. */
        size_t k = 0;
        while (k < VALGRIND_PREAMBLE_INSNS && k < i &&
               cls[i - 1 - k].flavor == cls[i].flavor &&
               cls[i - 1 - k].position == VALGRIND_PREAMBLE_INSNS - 1 - (int)k) {
            k++;
        }
        if (k < VALGRIND_PREAMBLE_INSNS && k < i) {
            continue; /* preceded by something else: a plain no-op */
        }
        struct valgrind_site site;
        memset(&site, 0, sizeof site);
        site.pc = cls[i].pc;
        site.tb_insns = (uint32_t)n;
        site.tb_index = (uint32_t)i;
        site.flavor = &arch->valgrind[cls[i].flavor];
        site.resumes = (uint32_t)(VALGRIND_PREAMBLE_INSNS - k);
        site.resume_pc = cls[0].pc;
        site.since_request = (uint32_t)(i - block_start);
        block_start = i + 1;
        if (slots != NULL) {
            site.fn_slot = slots[i];
            for (size_t j = i + 1; j < n && slots[j] == slots[i]; j++) {
                site.fn_tail++;
            }
        }
        const struct valgrind_site *shared =
            intern(&sites, site_hash, site_equal, &site, sizeof site);
        if (shared != NULL) {
            qemu_plugin_register_vcpu_insn_exec_cb(qemu_plugin_tb_get_insn(tb, i), on_request,
                                                   QEMU_PLUGIN_CB_RW_REGS, (void *)shared);
        }
    }
    /* A preamble part that runs to the end of the block. */
    size_t last = n - 1;
    if (cls[last].flavor >= 0 && cls[last].position >= 0) {
        size_t s = last;
        while (s > 0 && cls[s - 1].flavor == cls[last].flavor &&
               cls[s - 1].position >= 0 && cls[s - 1].position == cls[s].position - 1) {
            s--;
        }
        /* The head of a preamble, or its continuation from the block before. */
        if (cls[s].position == 0 || s == 0) {
            struct valgrind_chain chain = {
                .start_pc = cls[s].pc,
                .end_pc = cls[last].end,
                .first = (uint32_t)cls[s].position,
                .count = (uint32_t)(last - s + 1),
            };
            const struct valgrind_chain *shared =
                intern(&chains, chain_hash, chain_equal, &chain, sizeof chain);
            if (shared != NULL) {
                qemu_plugin_register_vcpu_insn_exec_cb(qemu_plugin_tb_get_insn(tb, s), on_chain,
                                                       QEMU_PLUGIN_CB_NO_REGS, (void *)shared);
            }
        }
    }
    g_free(cls);
}

uint64_t valgrind_dropped_sites(void)
{
    g_mutex_lock(&sites_lock);
    uint64_t n = dropped_sites;
    g_mutex_unlock(&sites_lock);
    return n;
}
