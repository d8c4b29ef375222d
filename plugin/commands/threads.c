/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Guest threads (commands/threads.h). Switches are rare (a few thousand a
 * second under Linux), so one lock guards the table and every stint's
 * bookkeeping; the call path takes it only for region commands.
 */
#include "commands/threads.h"

#include <glib.h>

#include "qemu/context.h"
#include "qemu/registers.h"
#include "output/log.h"

/* IA32_FS_BASE, the MSR of the thread pointer. */
#define MSR_FS_BASE 0xc0000100u

static bool followed;
static GMutex lock;
static GHashTable *by_key; /* "address space, thread pointer" -> thread */
static GPtrArray *in_order;

/*
 * A vCPU's stint: the thread it runs and its counters when that began. A
 * thread may have stints open on several vCPUs at once: where the thread
 * is the address space alone (RISC-V), a process's threads run side by
 * side; and a kernel's idle task keeps the address space it found (lazily,
 * as Linux does), so the vCPU a thread left seems to run it still, a few
 * instructions around each wait for an interrupt, until it switches.
 */
struct stint {
    struct guest_thread *thread;
    uint64_t start, kernel_start;
};
static GArray *stints; /* by vCPU index; under lock */

void threads_init(bool follow)
{
    followed = follow;
    by_key = g_hash_table_new_full(g_bytes_hash, g_bytes_equal,
                                   (GDestroyNotify)g_bytes_unref, NULL);
    in_order = g_ptr_array_new();
    stints = g_array_new(FALSE, TRUE, sizeof(struct stint));
}

bool threads_followed(void)
{
    return followed;
}

static uint64_t register_value(struct vcpu *vcpu, const char *name)
{
    struct qemu_plugin_register *reg = reg_find(name);
    return reg != NULL ? reg_read(vcpu, reg) : 0;
}

static struct stint *stint_of(unsigned int vcpu)
{
    if (vcpu >= stints->len) {
        g_array_set_size(stints, vcpu + 1);
    }
    return &g_array_index(stints, struct stint, vcpu);
}

/* Caller holds lock. */
static struct guest_thread *thread_for(uint64_t address_space, uint64_t thread_pointer)
{
    uint64_t key[2] = {address_space, thread_pointer};
    GBytes *bytes = g_bytes_new(key, sizeof key);
    struct guest_thread *t = g_hash_table_lookup(by_key, bytes);
    if (t == NULL) {
        t = g_new0(struct guest_thread, 1);
        t->id = in_order->len;
        t->address_space = address_space;
        t->thread_pointer = thread_pointer;
        t->vcpu = -1;
        g_hash_table_insert(by_key, g_bytes_ref(bytes), t);
        g_ptr_array_add(in_order, t);
    }
    g_bytes_unref(bytes);
    return t;
}

/* The vCPU runs (address space, thread pointer) from pos on. Caller holds
 * lock. */
static struct guest_thread *switch_to(struct vcpu *vcpu, uint64_t address_space,
                                      uint64_t thread_pointer, struct insn_position pos)
{
    struct stint *s = stint_of(vcpu->index);
    struct guest_thread *out = s->thread;
    if (out != NULL && out->address_space == address_space &&
        out->thread_pointer == thread_pointer) {
        return out;
    }
    if (out != NULL) {
        out->insns += pos.all - s->start;
        out->kernel_insns += pos.kernel - s->kernel_start;
        if (--out->stints == 0) {
            out->vcpu = -1;
        }
    }
    struct guest_thread *in = thread_for(address_space, thread_pointer);
    *s = (struct stint){in, pos.all, pos.kernel};
    in->stints++;
    in->vcpu = (int)vcpu->index;
    in->last_vcpu = in->vcpu;
    vcpu->thread = in;
    return in;
}

/* What the thread's open stints on vCPUs other than skip (-1: all) have run
 * so far, read from their counters as they stand. Caller holds lock. */
static struct insn_position open_elsewhere(const struct guest_thread *thread, int skip)
{
    struct insn_position n = {0, 0};
    for (guint i = 0; thread->stints > 0 && i < stints->len; i++) {
        const struct stint *s = &g_array_index(stints, struct stint, i);
        if (s->thread != thread || (int)i == skip) {
            continue;
        }
        const struct vcpu_counters *c = vcpu_counters(i);
        n.all += __atomic_load_n(&c->insns, __ATOMIC_RELAXED) - s->start;
        n.kernel += __atomic_load_n(&c->insns_kernel, __ATOMIC_RELAXED) - s->kernel_start;
    }
    return n;
}

static uint64_t current_address_space(struct vcpu *vcpu)
{
    uint64_t base = 0;
    guest_address_space(vcpu, &base);
    return base;
}

void threads_on_switch(unsigned int vcpu_index, void *userdata)
{
    const struct switch_site *site = userdata;
    struct vcpu *vcpu = vcpu_get(vcpu_index);
    if (vcpu == NULL) {
        return;
    }
    /* The instruction has not run yet: the stint ends just before it. It
     * is kernel code: its block counted as such too. */
    const struct vcpu_counters *c = vcpu_counters(vcpu_index);
    uint64_t not_yet = site->tb_insns - site->tb_index;
    struct insn_position pos = {c->insns - not_yet, c->insns_kernel - not_yet};
    uint64_t address_space = current_address_space(vcpu);
    uint64_t thread_pointer = guest_thread_pointer(vcpu);
    switch (site->kind) {
    case SWITCH_ADDRESS_SPACE:
        address_space = guest_address_space_of(guest_switch_register(vcpu, site->gpr));
        break;
    case SWITCH_THREAD_POINTER:
        thread_pointer = guest_switch_register(vcpu, site->gpr);
        break;
    case SWITCH_MSR:
        if ((uint32_t)register_value(vcpu, "rcx") != MSR_FS_BASE) {
            return;
        }
        thread_pointer = register_value(vcpu, "rdx") << 32 |
                         (uint32_t)register_value(vcpu, "rax");
        break;
    }
    g_mutex_lock(&lock);
    switch_to(vcpu, address_space, thread_pointer, pos);
    g_mutex_unlock(&lock);
}

struct guest_thread *threads_current(struct vcpu *vcpu, struct insn_position pos)
{
    uint64_t address_space = current_address_space(vcpu);
    uint64_t thread_pointer = guest_thread_pointer(vcpu);
    g_mutex_lock(&lock);
    struct guest_thread *t = switch_to(vcpu, address_space, thread_pointer, pos);
    g_mutex_unlock(&lock);
    return t;
}

struct insn_position threads_insns(const struct guest_thread *thread, const struct vcpu *vcpu,
                                   struct insn_position pos)
{
    g_mutex_lock(&lock);
    struct insn_position n = open_elsewhere(thread, (int)vcpu->index);
    n.all += thread->insns;
    n.kernel += thread->kernel_insns;
    const struct stint *here = stint_of(vcpu->index);
    if (here->thread == thread) {
        n.all += pos.all - here->start;
        n.kernel += pos.kernel - here->kernel_start;
    }
    g_mutex_unlock(&lock);
    return n;
}

struct insn_position threads_insns_now(const struct guest_thread *thread)
{
    g_mutex_lock(&lock);
    struct insn_position n = open_elsewhere(thread, -1);
    n.all += thread->insns;
    n.kernel += thread->kernel_insns;
    g_mutex_unlock(&lock);
    return n;
}

void threads_for_each(void (*visit)(struct guest_thread *thread, void *data), void *data)
{
    g_mutex_lock(&lock);
    guint n = in_order->len;
    g_mutex_unlock(&lock);
    for (guint i = 0; i < n; i++) {
        g_mutex_lock(&lock);
        struct guest_thread *t = g_ptr_array_index(in_order, i);
        g_mutex_unlock(&lock);
        visit(t, data);
    }
}
