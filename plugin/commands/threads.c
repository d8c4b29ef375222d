/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Guest threads (commands/threads.h). A vCPU that writes the key of the
 * thread it already runs (Linux rewrites the FS base at every switch, most
 * often with the same value) checks its own stint and takes no lock. A real
 * change takes the lock of the shard of the thread leaving, then that of
 * the thread coming: vCPUs switching different threads rarely meet.
 *
 * Threads neither running nor holding regions are idle: each shard keeps
 * its idle threads in the order they last ran, and forgets the oldest when
 * it holds more than its part of max-threads. A thread that is running or
 * holds regions is never forgotten: running ones are at most one per vCPU,
 * and at most max-threads get regions of their own.
 */
#include "commands/threads.h"

#include <glib.h>

#include "commands/keyed_hash.h"
#include "qemu/context.h"
#include "qemu/registers.h"
#include "output/log.h"

/* IA32_FS_BASE, the MSR of the thread pointer. */
#define MSR_FS_BASE 0xc0000100u

/* A power of two; more shards than vCPUs usually run threads at once. */
#define SHARDS 16u

/*
 * A shard's table chains its threads through their own `chain` field:
 * nothing is allocated per lookup or per insertion, and a thread leaves
 * its chain without the tombstones an open-addressing table keeps (GLib's
 * table, used before, walked ever longer runs of them while a guest made
 * and forgot threads by the million).
 */
struct shard {
    GMutex lock;
    struct guest_thread **buckets; /* by the keyed hash's high bits */
    unsigned int mask;             /* buckets - 1, a power of two minus one */
    struct guest_thread *newest, *oldest; /* idle threads */
    unsigned int count;
    struct guest_thread *spare; /* the last one forgotten, for the next new one */
};

/* Buckets a shard starts with; it doubles them when its threads fill half
 * of them: a new key walks its whole chain, and every link is a cache miss
 * once the table outgrows the cache. */
#define FIRST_BUCKETS 64u

static bool followed;
/* Switches are followed from the first call that asks which thread runs
 * (threads_current): before it no thread has a name, a region or a use;
 * from the first block where the architecture says so (see struct stint). */
static void (*start_following)(void);
static int following;
static unsigned int max_threads;
static unsigned int shard_limit; /* idle threads a shard keeps */
static struct shard shards[SHARDS];
static uint64_t next_id; /* threads made so far */
static uint64_t forgotten, over_cap;

/* Threads with regions, in the order they got them; under kept_lock. */
static GMutex kept_lock;
static GPtrArray *kept;

/*
 * A vCPU's stint: the key it runs, the thread of that key if there is one,
 * and its counters when the stint began. A key gets a thread only when a
 * call asks which thread runs (threads_current): a guest making threads by
 * the million with none of them calling makes no thread, takes no lock and
 * computes no keyed hash (the filter below says so at the cost of one
 * load). A stint without a thread is anonymous; when its key gets one, the
 * thread adopts every stint that runs its key, so it counts all of them
 * from their start, as if it had been there all along. An adopted vCPU
 * learns it at its next call (threads_current sets vcpu->thread), which
 * may come with no switch in between.
 *
 * Only a stint the vCPU has is adopted: one that has written no switch
 * since following began has none. Where the thread pointer is rewritten
 * at every switch into a thread (x86-64's FS base, arm64's TPIDR_EL0 under
 * Linux), a vCPU that comes back to a thread writes its key again, so
 * following from the first call loses nothing. Where a thread is its
 * address space alone (riscv64's satp), a vCPU going back to the address
 * space it kept (Linux's lazy mm: its idle task kept it) writes nothing:
 * switches are followed from the first block there (switches_from_boot in
 * translate/arch.h), so that its stint of that key is known and adopted.
 *
 * A thread may have stints open on several vCPUs at once: where the thread
 * is the address space alone (RISC-V), a process's threads run side by
 * side; and a kernel's idle task keeps the address space it found (lazily,
 * as Linux does), so the vCPU a thread left seems to run it still, a few
 * instructions around each wait for an interrupt, until it switches.
 *
 * Only the vCPU itself changes its stint's key and counters, and a
 * thread's stints only under its shard's lock. `state` says who has the
 * stint: a thread (a pointer), ANONYMOUS(generation) (odd: a new value for
 * every stint, so that a thread adopting one with a compare-and-swap never
 * takes a later stint for it) or CLOSING while its vCPU rewrites the key.
 */
struct stint {
    uintptr_t state;                        /* atomic */
    uint64_t address_space, thread_pointer; /* atomic: read by adopting vCPUs */
    uint64_t start, kernel_start;
    uint64_t generation;
};
#define CLOSING ((uintptr_t)2)
#define ANONYMOUS(generation) ((uintptr_t)(generation) << 1 | 1u)

static struct guest_thread *state_thread(uintptr_t state)
{
    return (state & 1u) != 0 || state == CLOSING ? NULL : (struct guest_thread *)state;
}

/*
 * Which keys may have a thread: a bit per keyed mix of the key, set when a
 * thread is made and never cleared. A key whose bit is clear has none, and
 * its switch is over; a set bit only sends it to the table (a key that
 * shares a thread's bit costs what every switch cost before the filter).
 */
#define FILTER_BITS (1u << 18)
static uint64_t filter[FILTER_BITS / 64];

static uint32_t filter_bit(uint64_t address_space, uint64_t thread_pointer)
{
    return (uint32_t)(keyed_quick2(address_space, thread_pointer) >> 32) & (FILTER_BITS - 1);
}

static bool filter_maybe(uint64_t address_space, uint64_t thread_pointer)
{
    uint32_t bit = filter_bit(address_space, thread_pointer);
    return (__atomic_load_n(&filter[bit / 64], __ATOMIC_SEQ_CST) >> (bit % 64) & 1) != 0;
}

static void filter_add(uint64_t address_space, uint64_t thread_pointer)
{
    uint32_t bit = filter_bit(address_space, thread_pointer);
    if (!(__atomic_load_n(&filter[bit / 64], __ATOMIC_RELAXED) >> (bit % 64) & 1)) {
        __atomic_fetch_or(&filter[bit / 64], (uint64_t)1 << (bit % 64), __ATOMIC_SEQ_CST);
    }
    /* Before the stints are read (make_thread), also when the bit was set. */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static struct stint *stint_chunks[VCPU_TABLE_CHUNKS];
static unsigned int stint_limit; /* one past the highest vCPU with a stint */
static GMutex chunk_lock;

/* The keyed hash, computed once per switch (commands/keyed_hash.h): the
 * low bits pick the shard, the high ones the bucket. Caller holds the
 * shard's lock (as for every table function below). */
static struct guest_thread **bucket_of(const struct shard *sh, uint64_t hash)
{
    return &sh->buckets[(hash >> 32) & sh->mask];
}

static struct guest_thread *table_find(const struct shard *sh, uint64_t hash,
                                       uint64_t address_space, uint64_t thread_pointer)
{
    for (struct guest_thread *t = *bucket_of(sh, hash); t != NULL; t = t->chain) {
        if (t->key_hash == hash && t->address_space == address_space &&
            t->thread_pointer == thread_pointer) {
            return t;
        }
    }
    return NULL;
}

static void table_grow(struct shard *sh)
{
    unsigned int n = (sh->mask + 1) * 2;
    struct guest_thread **buckets = g_new0(struct guest_thread *, n);
    for (unsigned int i = 0; i <= sh->mask; i++) {
        for (struct guest_thread *t = sh->buckets[i], *next; t != NULL; t = next) {
            next = t->chain;
            struct guest_thread **b = &buckets[(t->key_hash >> 32) & (n - 1)];
            t->chain = *b;
            *b = t;
        }
    }
    g_free(sh->buckets);
    sh->buckets = buckets;
    sh->mask = n - 1;
}

static void table_add(struct shard *sh, struct guest_thread *t)
{
    if (++sh->count > (sh->mask + 1) / 2) {
        table_grow(sh);
    }
    struct guest_thread **b = bucket_of(sh, t->key_hash);
    t->chain = *b;
    *b = t;
}

/* Whether t was in the table (a successor's predecessor may have left). */
static bool table_remove(struct shard *sh, struct guest_thread *t)
{
    for (struct guest_thread **p = bucket_of(sh, t->key_hash); *p != NULL; p = &(*p)->chain) {
        if (*p == t) {
            *p = t->chain;
            t->chain = NULL;
            sh->count--;
            return true;
        }
    }
    return false;
}

void threads_init(bool follow, unsigned int max, void (*follow_switches)(void))
{
    followed = follow;
    start_following = follow_switches;
    max_threads = max;
    shard_limit = (max + SHARDS - 1) / SHARDS;
    keyed_hash_init();
    for (unsigned int i = 0; i < SHARDS; i++) {
        g_mutex_init(&shards[i].lock);
        shards[i].buckets = g_new0(struct guest_thread *, FIRST_BUCKETS);
        shards[i].mask = FIRST_BUCKETS - 1;
    }
    kept = g_ptr_array_new();
}

bool threads_followed(void)
{
    return followed;
}

/* wrmsr's operands: ECX names the MSR, EDX:EAX the value. Handles found
 * once (registers exist only once a vCPU does), not under reg_find's lock
 * at every write. */
enum msr_operand { MSR_NUMBER, MSR_HIGH, MSR_LOW };
static const char *const msr_operand_names[] = {"rcx", "rdx", "rax"};
static struct qemu_plugin_register *msr_operands[3];
static bool msr_operands_found[3];

static uint64_t msr_operand(struct vcpu *vcpu, enum msr_operand which)
{
    struct qemu_plugin_register *reg;
    if (__atomic_load_n(&msr_operands_found[which], __ATOMIC_ACQUIRE)) {
        reg = msr_operands[which];
    } else {
        reg = reg_find(msr_operand_names[which]);
        msr_operands[which] = reg;
        __atomic_store_n(&msr_operands_found[which], true, __ATOMIC_RELEASE);
    }
    return reg != NULL ? reg_read(vcpu, reg) : 0;
}

/* The vCPU's own stint, made on first use. */
static struct stint *stint_of(unsigned int vcpu)
{
    unsigned int chunk = (vcpu / VCPU_TABLE_CHUNK) % VCPU_TABLE_CHUNKS;
    struct stint *c = __atomic_load_n(&stint_chunks[chunk], __ATOMIC_ACQUIRE);
    if (c == NULL) {
        g_mutex_lock(&chunk_lock);
        c = stint_chunks[chunk];
        if (c == NULL) {
            c = g_new0(struct stint, VCPU_TABLE_CHUNK);
            __atomic_store_n(&stint_chunks[chunk], c, __ATOMIC_RELEASE);
        }
        g_mutex_unlock(&chunk_lock);
    }
    if (vcpu + 1 > __atomic_load_n(&stint_limit, __ATOMIC_RELAXED)) {
        g_mutex_lock(&chunk_lock);
        if (vcpu + 1 > stint_limit) {
            __atomic_store_n(&stint_limit, vcpu + 1, __ATOMIC_RELEASE);
        }
        g_mutex_unlock(&chunk_lock);
    }
    return &c[vcpu % VCPU_TABLE_CHUNK];
}

/* Another vCPU's stint, or NULL if it has none yet. */
static const struct stint *stint_peek(unsigned int vcpu)
{
    const struct stint *c = __atomic_load_n(&stint_chunks[vcpu / VCPU_TABLE_CHUNK],
                                            __ATOMIC_ACQUIRE);
    return c != NULL ? &c[vcpu % VCPU_TABLE_CHUNK] : NULL;
}

/* The idle list: newest first. Caller holds the shard's lock. */
static void idle_add(struct shard *sh, struct guest_thread *t)
{
    t->idle = true;
    t->older = sh->newest;
    t->newer = NULL;
    if (sh->newest != NULL) {
        sh->newest->newer = t;
    } else {
        sh->oldest = t;
    }
    sh->newest = t;
}

static void idle_remove(struct shard *sh, struct guest_thread *t)
{
    t->idle = false;
    if (t->newer != NULL) {
        t->newer->older = t->older;
    } else {
        sh->newest = t->older;
    }
    if (t->older != NULL) {
        t->older->newer = t->newer;
    } else {
        sh->oldest = t->newer;
    }
    t->newer = t->older = NULL;
}

/* Forgets the shard's oldest idle threads while it holds more than its
 * part. Caller holds the shard's lock. */
static void forget_oldest(struct shard *sh)
{
    while (sh->count > shard_limit && sh->oldest != NULL) {
        struct guest_thread *t = sh->oldest;
        idle_remove(sh, t);
        table_remove(sh, t);
        /* A guest churning threads forgets one for each it makes. */
        g_free(sh->spare);
        sh->spare = t;
        __atomic_add_fetch(&forgotten, 1, __ATOMIC_RELAXED);
    }
}

/* The thread of a key, made if new. Caller holds the shard's lock. */
static struct guest_thread *thread_for(struct shard *sh, uint64_t hash,
                                       uint64_t address_space, uint64_t thread_pointer)
{
    struct guest_thread *t = table_find(sh, hash, address_space, thread_pointer);
    if (t == NULL) {
        t = sh->spare != NULL ? sh->spare : g_new(struct guest_thread, 1);
        sh->spare = NULL;
        *t = (struct guest_thread){0};
        t->id = (unsigned int)__atomic_fetch_add(&next_id, 1, __ATOMIC_RELAXED);
        t->address_space = address_space;
        t->thread_pointer = thread_pointer;
        t->vcpu = -1;
        t->key_hash = hash;
        t->shard = (unsigned int)(hash % SHARDS);
        table_add(sh, t);
    }
    return t;
}

/* The stint of vCPU index is the thread's from its start on; under the
 * thread's shard's lock. */
static void stint_take(struct shard *sh, struct stint *s, struct guest_thread *t,
                       unsigned int index)
{
    __atomic_store_n(&s->state, (uintptr_t)t, __ATOMIC_RELEASE);
    if (t->idle) {
        idle_remove(sh, t);
    }
    t->stints++;
    t->vcpu = (int)index;
    t->last_vcpu = t->vcpu;
}

/* A thread nothing refers to any more (not in the table, no stint, no
 * regions) is the shard's next new one. Caller holds the shard's lock. */
static void recycle(struct shard *sh, struct guest_thread *t)
{
    g_free(sh->spare);
    sh->spare = t;
}

/* The thread ended: its key is free for the next thread that has it (the
 * filter may still say the key has one: a lookup then finds none). A
 * thread with regions keeps them, and its rows, as they stood; one without
 * is running (it made the call), and is recycled when its last stint
 * closes. Caller holds the thread's shard's lock. */
static void end_locked(struct shard *sh, struct guest_thread *t)
{
    if (!t->ended) {
        __atomic_store_n(&t->ended, true, __ATOMIC_RELAXED);
        table_remove(sh, t);
    }
}

/* Whether a stint's state is a thread that ended: its key's next stint
 * is another thread's. */
static bool state_ended(uintptr_t state)
{
    const struct guest_thread *t = state_thread(state);
    return t != NULL && __atomic_load_n(&t->ended, __ATOMIC_RELAXED);
}

/* The stint's thread if its key has one (vCPU index's own stint, just
 * rekeyed); takes the key's shard lock, with the stint anonymous so that
 * a vCPU making its thread under that lock can adopt it. */
static struct guest_thread *stint_settle(struct stint *s, unsigned int index)
{
    __atomic_store_n(&s->state, ANONYMOUS(s->generation), __ATOMIC_RELEASE);
    uint64_t hash = keyed_hash2(s->address_space, s->thread_pointer);
    struct shard *sh = &shards[hash % SHARDS];
    g_mutex_lock(&sh->lock);
    /* Adopted meanwhile by the vCPU that made the thread? */
    struct guest_thread *t = state_thread(__atomic_load_n(&s->state, __ATOMIC_ACQUIRE));
    if (t == NULL) {
        t = table_find(sh, hash, s->address_space, s->thread_pointer);
        if (t != NULL) {
            stint_take(sh, s, t, index);
        }
    }
    g_mutex_unlock(&sh->lock);
    return t;
}

/*
 * The vCPU runs (address space, thread pointer) from pos on; returns its
 * thread, NULL if the key has none yet. The stint is CLOSING while its key
 * changes; the vCPU takes no lock then, so a vCPU adopting stints (which
 * waits for CLOSING to pass, holding a shard lock) never waits on it.
 * Against make_thread, which sets the filter's bit and then reads every
 * stint: either the filter load here sees the bit, or make_thread finds
 * this stint CLOSING or later and adopts it.
 */
static struct guest_thread *switch_to(struct vcpu *vcpu, uint64_t address_space,
                                      uint64_t thread_pointer, struct insn_position pos)
{
    struct stint *s = stint_of(vcpu->index);
    uintptr_t state = __atomic_load_n(&s->state, __ATOMIC_ACQUIRE);
    if (state != 0 && s->address_space == address_space &&
        s->thread_pointer == thread_pointer && !state_ended(state)) {
        return state_thread(state);
    }
    /* An anonymous stint closes unless a thread adopted it just now (the
     * swap then fails and state is that thread). */
    bool closed = (state & 1u) != 0 &&
                  __atomic_compare_exchange_n(&s->state, &state, CLOSING, false,
                                              __ATOMIC_SEQ_CST, __ATOMIC_ACQUIRE);
    struct guest_thread *out = closed ? NULL : state_thread(state);
    if (out != NULL) {
        struct shard *sh = &shards[out->shard];
        g_mutex_lock(&sh->lock);
        out->insns += pos.all - s->start;
        out->kernel_insns += pos.kernel - s->kernel_start;
        if (--out->stints == 0) {
            out->vcpu = -1;
            if (out->kept) {
                /* its regions hold it */
            } else if (out->ended) {
                recycle(sh, out);
            } else {
                idle_add(sh, out);
                forget_oldest(sh);
            }
        }
        __atomic_store_n(&s->state, CLOSING, __ATOMIC_RELEASE);
        g_mutex_unlock(&sh->lock);
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
    } else if (!closed) {
        /* The vCPU's first stint: CLOSING needs no swap. */
        __atomic_store_n(&s->state, CLOSING, __ATOMIC_SEQ_CST);
    }
    __atomic_store_n(&s->address_space, address_space, __ATOMIC_RELAXED);
    __atomic_store_n(&s->thread_pointer, thread_pointer, __ATOMIC_RELAXED);
    s->start = pos.all;
    s->kernel_start = pos.kernel;
    s->generation++;
    struct guest_thread *in = NULL;
    if (filter_maybe(address_space, thread_pointer)) {
        in = stint_settle(s, vcpu->index);
    } else {
        __atomic_store_n(&s->state, ANONYMOUS(s->generation), __ATOMIC_RELEASE);
    }
    vcpu->thread = in;
    return in;
}

/* Makes the thread of the key vCPU index runs anonymously, and gives it
 * every anonymous stint of that key, this one included. */
static struct guest_thread *make_thread(struct stint *own, unsigned int index)
{
    uint64_t address_space = own->address_space, thread_pointer = own->thread_pointer;
    uint64_t hash = keyed_hash2(address_space, thread_pointer);
    struct shard *sh = &shards[hash % SHARDS];
    g_mutex_lock(&sh->lock);
    struct guest_thread *t = thread_for(sh, hash, address_space, thread_pointer);
    filter_add(address_space, thread_pointer);
    unsigned int limit = __atomic_load_n(&stint_limit, __ATOMIC_ACQUIRE);
    for (unsigned int i = 0; i < limit; i++) {
        struct stint *s = i == index ? own : (struct stint *)stint_peek(i);
        uintptr_t state = s != NULL ? __atomic_load_n(&s->state, __ATOMIC_SEQ_CST) : 0;
        while (state == CLOSING) { /* a few instructions, no lock: see switch_to */
            state = __atomic_load_n(&s->state, __ATOMIC_SEQ_CST);
        }
        if ((state & 1u) == 0 ||
            __atomic_load_n(&s->address_space, __ATOMIC_RELAXED) != address_space ||
            __atomic_load_n(&s->thread_pointer, __ATOMIC_RELAXED) != thread_pointer) {
            continue;
        }
        /* Fails if that vCPU has left the stint meanwhile. */
        if (__atomic_compare_exchange_n(&s->state, &state, (uintptr_t)t, false,
                                        __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
            stint_take(sh, s, t, i);
        }
    }
    t->vcpu = t->last_vcpu = (int)index;
    forget_oldest(sh);
    g_mutex_unlock(&sh->lock);
    return t;
}

/* What the thread's open stints on vCPUs other than skip (-1: all) have run
 * so far, read from their counters as they stand. Caller holds the
 * thread's shard's lock. */
static struct insn_position open_elsewhere(const struct guest_thread *thread, int skip)
{
    struct insn_position n = {0, 0};
    unsigned int limit = __atomic_load_n(&stint_limit, __ATOMIC_ACQUIRE);
    for (unsigned int i = 0; thread->stints > 0 && i < limit; i++) {
        const struct stint *s = stint_peek(i);
        if (s == NULL || state_thread(__atomic_load_n(&s->state, __ATOMIC_ACQUIRE)) != thread ||
            (int)i == skip) {
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

static void end_thread(struct guest_thread *t)
{
    struct shard *sh = &shards[t->shard];
    g_mutex_lock(&sh->lock);
    end_locked(sh, t);
    g_mutex_unlock(&sh->lock);
}

/* Linux's exit_group: every thread of the address space with regions ends
 * (others have nothing a successor could take over but their number). */
static void end_process(uint64_t address_space)
{
    g_mutex_lock(&kept_lock);
    for (guint i = 0; i < kept->len; i++) {
        struct guest_thread *t = g_ptr_array_index(kept, i);
        if (t->address_space == address_space) {
            end_thread(t);
        }
    }
    g_mutex_unlock(&kept_lock);
}

/* A system call about to run: exit ends the calling thread, exit_group
 * its process. Only then are the key's registers read. */
static void on_syscall(struct vcpu *vcpu, const struct switch_site *site,
                       struct insn_position pos)
{
    uint64_t number = guest_switch_register(vcpu, site->gpr);
    bool ends_thread = site->exit_thread != NO_SYSCALL && number == site->exit_thread;
    bool ends_process = number == site->exit_process;
    if (!ends_thread && !ends_process) {
        return;
    }
    uint64_t address_space = current_address_space(vcpu);
    /* NULL: a key no call asked about, which has no thread to end. */
    struct guest_thread *t = switch_to(vcpu, address_space, guest_thread_pointer(vcpu), pos);
    if (ends_process) {
        end_process(address_space);
    }
    if (t != NULL) {
        end_thread(t);
    }
}

void threads_on_switch(unsigned int vcpu_index, void *userdata)
{
    const struct switch_site *site = userdata;
    struct vcpu *vcpu = vcpu_get(vcpu_index);
    if (vcpu == NULL) {
        return;
    }
    /* The instruction has not run yet: the stint ends just before it. A
     * system call is user code; the other switches are kernel code, whose
     * blocks counted as such too. */
    const struct vcpu_counters *c = vcpu_counters(vcpu_index);
    uint64_t not_yet = site->tb_insns - site->tb_index;
    if (site->kind == SWITCH_SYSCALL) {
        on_syscall(vcpu, site, (struct insn_position){c->insns - not_yet, c->insns_kernel});
        return;
    }
    struct insn_position pos = {c->insns - not_yet, c->insns_kernel - not_yet};
    /* The new value from the instruction's operand, the other half of the
     * key from the stint the vCPU runs: every write of either was seen
     * (and a call reads both registers again), so no register read. */
    uint64_t address_space, thread_pointer;
    const struct stint *running = stint_of(vcpu_index);
    bool keyed = __atomic_load_n(&running->state, __ATOMIC_RELAXED) != 0;
    switch (site->kind) {
    case SWITCH_ADDRESS_SPACE:
        address_space = guest_address_space_of(guest_switch_register(vcpu, site->gpr));
        thread_pointer = keyed ? running->thread_pointer : guest_thread_pointer(vcpu);
        break;
    case SWITCH_THREAD_POINTER:
        thread_pointer = guest_switch_register(vcpu, site->gpr);
        address_space = keyed ? running->address_space : current_address_space(vcpu);
        break;
    case SWITCH_MSR:
    default:
        if ((uint32_t)msr_operand(vcpu, MSR_NUMBER) != MSR_FS_BASE) {
            return;
        }
        thread_pointer = msr_operand(vcpu, MSR_HIGH) << 32 |
                         (uint32_t)msr_operand(vcpu, MSR_LOW);
        address_space = keyed ? running->address_space : current_address_space(vcpu);
        break;
    }
    switch_to(vcpu, address_space, thread_pointer, pos);
}

void threads_follow_from_start(void)
{
    __atomic_store_n(&following, 1, __ATOMIC_RELEASE);
}

bool threads_following(void)
{
    return __atomic_load_n(&following, __ATOMIC_ACQUIRE) != 0;
}

struct guest_thread *threads_current(struct vcpu *vcpu, struct insn_position pos)
{
    if (!__atomic_load_n(&following, __ATOMIC_ACQUIRE) &&
        !__atomic_exchange_n(&following, 1, __ATOMIC_ACQ_REL)) {
        start_following();
    }
    struct guest_thread *t = switch_to(vcpu, current_address_space(vcpu),
                                       guest_thread_pointer(vcpu), pos);
    if (t == NULL) {
        t = make_thread(stint_of(vcpu->index), vcpu->index);
    }
    /* Also where the key had a thread already: one another vCPU made may
     * have adopted this vCPU's stint after its switch, which left
     * vcpu->thread NULL, and a vCPU that goes on in that stint (no switch
     * at all, or a rewrite of the same key: switch_to's short path) would
     * otherwise call as no thread. */
    vcpu->thread = t;
    return t;
}

struct insn_position threads_insns(const struct guest_thread *thread, const struct vcpu *vcpu,
                                   struct insn_position pos)
{
    struct shard *sh = &shards[thread->shard];
    g_mutex_lock(&sh->lock);
    struct insn_position n = open_elsewhere(thread, (int)vcpu->index);
    n.all += thread->insns;
    n.kernel += thread->kernel_insns;
    const struct stint *here = stint_peek(vcpu->index);
    if (here != NULL && state_thread(__atomic_load_n(&here->state, __ATOMIC_RELAXED)) == thread) {
        n.all += pos.all - here->start;
        n.kernel += pos.kernel - here->kernel_start;
    }
    g_mutex_unlock(&sh->lock);
    return n;
}

struct insn_position threads_insns_now(const struct guest_thread *thread)
{
    struct shard *sh = &shards[thread->shard];
    g_mutex_lock(&sh->lock);
    struct insn_position n = open_elsewhere(thread, -1);
    n.all += thread->insns;
    n.kernel += thread->kernel_insns;
    g_mutex_unlock(&sh->lock);
    return n;
}

struct guest_thread *threads_succeed(struct vcpu *vcpu, struct guest_thread *old,
                                     struct insn_position pos)
{
    struct stint *s = stint_of(vcpu->index);
    struct shard *sh = &shards[old->shard];
    g_mutex_lock(&sh->lock);
    table_remove(sh, old);
    struct guest_thread *in = thread_for(sh, old->key_hash, old->address_space,
                                         old->thread_pointer);
    if (state_thread(s->state) == old) {
        old->insns += pos.all - s->start;
        old->kernel_insns += pos.kernel - s->kernel_start;
        if (--old->stints == 0) {
            old->vcpu = -1;
        }
    }
    s->start = pos.all;
    s->kernel_start = pos.kernel;
    stint_take(sh, s, in, vcpu->index);
    g_mutex_unlock(&sh->lock);
    vcpu->thread = in;
    return in;
}

bool threads_keep(struct guest_thread *thread)
{
    struct shard *sh = &shards[thread->shard];
    bool ok = true;
    g_mutex_lock(&kept_lock);
    g_mutex_lock(&sh->lock);
    if (thread->kept) {
        /* kept already (by another vCPU running it) */
    } else if (kept->len >= max_threads) {
        if (!thread->over_cap) {
            thread->over_cap = true;
            __atomic_add_fetch(&over_cap, 1, __ATOMIC_RELAXED);
        }
        ok = false;
    } else {
        /* Running on the caller's vCPU: not idle, nothing to unlink. */
        thread->kept = true;
        g_ptr_array_add(kept, thread);
    }
    g_mutex_unlock(&sh->lock);
    g_mutex_unlock(&kept_lock);
    return ok;
}

struct guest_thread *threads_adopt(uint64_t address_space, uint64_t thread_pointer)
{
    uint64_t hash = keyed_hash2(address_space, thread_pointer);
    struct shard *sh = &shards[hash % SHARDS];
    g_mutex_lock(&kept_lock);
    g_mutex_lock(&sh->lock);
    struct guest_thread *t = thread_for(sh, hash, address_space, thread_pointer);
    filter_add(address_space, thread_pointer); /* switches to the key find it */
    __atomic_store_n(&following, 1, __ATOMIC_RELEASE); /* install plants the switches */
    if (t->idle) {
        idle_remove(sh, t);
    }
    if (!t->kept && kept->len < max_threads) {
        t->kept = true;
        g_ptr_array_add(kept, t);
    }
    g_mutex_unlock(&sh->lock);
    g_mutex_unlock(&kept_lock);
    return t->kept ? t : NULL;
}

void threads_for_each(void (*visit)(struct guest_thread *thread, void *data), void *data)
{
    g_mutex_lock(&kept_lock);
    guint n = kept != NULL ? kept->len : 0;
    g_mutex_unlock(&kept_lock);
    for (guint i = 0; i < n; i++) {
        g_mutex_lock(&kept_lock);
        struct guest_thread *t = g_ptr_array_index(kept, i);
        g_mutex_unlock(&kept_lock);
        visit(t, data);
    }
}

void threads_counts(struct thread_counts *counts)
{
    counts->seen = __atomic_load_n(&next_id, __ATOMIC_RELAXED);
    counts->forgotten = __atomic_load_n(&forgotten, __ATOMIC_RELAXED);
    counts->over_cap = __atomic_load_n(&over_cap, __ATOMIC_RELAXED);
    counts->max = max_threads;
}
