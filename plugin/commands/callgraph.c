/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The call graph (commands/callgraph.h). Each thread's state is its own
 * and touched by its callbacks; the lock is there for dumps and the end of
 * the run, which read every thread's edges from another thread, so it is
 * a spin lock that costs its owner one atomic exchange.
 *
 * Returns follow Callgrind's rule (callgrind/bbcc.c, facts not code): a
 * return pops the calls whose stack pointer it left behind; where the
 * stack pointer stays (aarch64's BL/RET), the frames with that stack
 * pointer are popped down to the one whose return address it reached; a
 * return that matches no call is a jump. And any block reached through a
 * call or jump first pops the calls whose frames lie below the stack
 * pointer: a longjmp or an exception left them.
 */
#include "commands/callgraph.h"

#include <sched.h>
#include <string.h>

#include "commands/valgrind.h"
#include "qemu/functions.h"
#include "qemu/registers.h"
#include "output/log.h"

/* A context: a slot and its function's recursion level (0: first, 1: the
 * others, Callgrind's "'2"). A callee's slot is its function's head
 * (qemu/functions.h); a caller's is the call site's line, which the
 * profile writes as the line of the call. */
#define CONTEXT(slot, recursive) ((uint32_t)(slot) << 1 | (recursive))
#define CONTEXT_SLOT(context) ((context) >> 1)

struct edge {
    uint64_t key; /* caller context << 32 | callee context */
    uint64_t calls, inclusive;
};

struct frame {
    uint64_t sp, return_address, enter;
    struct edge *edge;      /* NULL past the edge bound, and for a PLT stub */
    uint32_t caller, callee; /* contexts */
    /* A call into a PLT stub, which Callgrind skips: the stub's jump to
     * its target makes the frame the caller's call of the target. */
    bool plt;
};

/* Per line slot of a function in its second level. */
struct recursion {
    uint64_t snapshot; /* the line's collected count when level 2 began */
    uint64_t collected;
};

/* Recently used edges by key, in front of the hash table. */
#define EDGE_CACHE 256u

struct callgraph_vcpu {
    bool busy; /* a spin lock: only dumps and the end ever contend */
    struct edge *recent[EDGE_CACHE];
    struct frame *frames;
    uint32_t depth, capacity;
    uint32_t *active; /* per function head: its calls on the stack */
    GHashTable *edges;      /* key -> struct edge */
    GHashTable *recursions; /* line slot -> struct recursion */
};

static struct qemu_plugin_register *sp_reg;
static const char *sp_name;
static GOnce sp_found = G_ONCE_INIT;
static uint64_t edges_total, edges_dropped;
static GMutex names_lock;
static const char **recursive_names;
/* Per function head: what its name says, NAME_* bits (0: not looked at). */
static uint8_t *name_kinds;
#define NAME_KNOWN 1u
#define NAME_COLD 2u     /* a part the compiler moved away ("name.cold") */
#define NAME_RESOLVER 4u /* the dynamic loader's lazy binding, _dl_runtime_resolve* */

void callgraph_init(const char *stack_pointer)
{
    sp_name = stack_pointer;
    recursive_names = g_new0(const char *, FUNCTION_SLOTS);
    name_kinds = g_new0(uint8_t, FUNCTION_SLOTS);
}

static gpointer find_sp(gpointer unused)
{
    (void)unused;
    sp_reg = reg_find(sp_name);
    return NULL;
}

static guint edge_hash(gconstpointer key)
{
    uint64_t k = *(const uint64_t *)key;
    return (guint)(k ^ (k >> 29) * 0x9e3779b1u);
}

static gboolean edge_equal(gconstpointer a, gconstpointer b)
{
    return *(const uint64_t *)a == *(const uint64_t *)b;
}

static void graph_lock(struct callgraph_vcpu *g)
{
    while (__atomic_exchange_n(&g->busy, true, __ATOMIC_ACQUIRE)) {
        sched_yield();
    }
}

static void graph_unlock(struct callgraph_vcpu *g)
{
    __atomic_store_n(&g->busy, false, __ATOMIC_RELEASE);
}

static struct callgraph_vcpu *graph_of(struct vcpu *vcpu)
{
    if (vcpu->callgraph == NULL) {
        struct callgraph_vcpu *g = g_new0(struct callgraph_vcpu, 1);
        g->active = g_new0(uint32_t, FUNCTION_SLOTS);
        g->edges = g_hash_table_new_full(edge_hash, edge_equal, NULL, g_free);
        g->recursions = g_hash_table_new_full(NULL, NULL, NULL, g_free);
        __atomic_store_n(&vcpu->callgraph, g, __ATOMIC_RELEASE);
    }
    return vcpu->callgraph;
}

static struct edge *edge_get(struct callgraph_vcpu *g, uint32_t caller, uint32_t callee)
{
    uint64_t key = (uint64_t)caller << 32 | callee;
    struct edge **recent = &g->recent[(key * 0x9e3779b97f4a7c15ull) >> 56];
    if (*recent != NULL && (*recent)->key == key) {
        return *recent;
    }
    struct edge *e = g_hash_table_lookup(g->edges, &key);
    if (e != NULL) {
        *recent = e;
        return e;
    }
    if (__atomic_add_fetch(&edges_total, 1, __ATOMIC_RELAXED) > CALLGRAPH_MAX_EDGES) {
        if (__atomic_fetch_add(&edges_dropped, 1, __ATOMIC_RELAXED) == 0) {
            plugin_log("profile=: more than %u call edges; calls along new edges are no "
                       "longer recorded (functions' own costs still are)",
                       CALLGRAPH_MAX_EDGES);
        }
        return NULL;
    }
    e = g_new0(struct edge, 1);
    e->key = key;
    g_hash_table_add(g->edges, e);
    *recent = e;
    return e;
}

static struct recursion *recursion_of(struct callgraph_vcpu *g, uint32_t line)
{
    struct recursion *r = g_hash_table_lookup(g->recursions, GUINT_TO_POINTER(line));
    if (r == NULL) {
        /* A line first run after level 2 began had counted nothing. */
        r = g_new0(struct recursion, 1);
        g_hash_table_insert(g->recursions, GUINT_TO_POINTER(line), r);
    }
    return r;
}

/* Level 2 of a function (its head) begins or ends: each of its lines'
 * collected instructions in between are the "'2" function's own. Rare:
 * only when a function is entered while it is active. */
static void recursion_begin(struct vcpu *vcpu, struct callgraph_vcpu *g, uint32_t head)
{
    for (uint32_t line = head;; line = function_next_line(line)) {
        recursion_of(g, line)->snapshot = valgrind_function_clock(vcpu, line);
        if (function_next_line(line) == 0) {
            break;
        }
    }
}

static void recursion_end(struct vcpu *vcpu, struct callgraph_vcpu *g, uint32_t head)
{
    for (uint32_t line = head;; line = function_next_line(line)) {
        struct recursion *r = recursion_of(g, line);
        r->collected += valgrind_function_clock(vcpu, line) - r->snapshot;
        if (function_next_line(line) == 0) {
            break;
        }
    }
}

/* slot: a callee's function head or a caller's line. */
static uint32_t context_of(struct callgraph_vcpu *g, uint32_t slot)
{
    return CONTEXT(slot, g->active[function_of(slot)] >= 2);
}

static bool is_plt(uint32_t slot)
{
    const struct code_place *place = function_place(slot);
    return place != NULL && place->plt;
}

/* A frame's callee becomes function head, entered now. */
static void enter(struct vcpu *vcpu, struct callgraph_vcpu *g, struct frame *f, uint32_t head,
                  uint64_t clock)
{
    if (++g->active[head] == 2) {
        recursion_begin(vcpu, g, head);
    }
    f->callee = context_of(g, head);
    f->edge = edge_get(g, f->caller, f->callee);
    if (f->edge != NULL) {
        f->edge->calls++;
    }
    f->enter = clock;
    f->plt = false;
}

/* caller: the call site's context (its line); callee: a function head. */
static void push(struct vcpu *vcpu, struct callgraph_vcpu *g, uint32_t caller,
                 uint32_t callee, uint64_t sp, uint64_t return_address, uint64_t clock)
{
    if (g->depth == CALLGRAPH_MAX_DEPTH) {
        /* Deeper calls go unrecorded; their returns find a frame above
         * them and are taken for jumps, so the stack stays consistent. */
        return;
    }
    if (g->depth == g->capacity) {
        g->capacity = g->capacity == 0 ? 64 : MIN(g->capacity * 2, CALLGRAPH_MAX_DEPTH);
        g->frames = g_renew(struct frame, g->frames, g->capacity);
    }
    struct frame *f = &g->frames[g->depth++];
    *f = (struct frame){sp, return_address, clock, NULL, caller, 0, true};
    if (is_plt(callee)) {
        f->callee = CONTEXT(callee, 0); /* no call of its own, no level */
    } else {
        enter(vcpu, g, f, callee, clock);
    }
}

static void pop(struct vcpu *vcpu, struct callgraph_vcpu *g, uint64_t clock)
{
    struct frame *f = &g->frames[--g->depth];
    if (f->edge != NULL) {
        f->edge->inclusive += clock - f->enter;
    }
    uint32_t head = CONTEXT_SLOT(f->callee);
    if (!f->plt && g->active[head]-- == 2) {
        recursion_end(vcpu, g, head);
    }
}

/* Pops the frames below sp, and min_pops more at sp; how many popped. */
static uint32_t unwind(struct vcpu *vcpu, struct callgraph_vcpu *g, uint64_t sp,
                       uint32_t min_pops, uint64_t clock)
{
    uint32_t popped = 0;
    while (g->depth > 0) {
        const struct frame *top = &g->frames[g->depth - 1];
        if (top->sp < sp || (top->sp == sp && min_pops > 0)) {
            min_pops -= min_pops > 0;
            pop(vcpu, g, clock);
            popped++;
            continue;
        }
        break;
    }
    return popped;
}

/* How many frames a return to pc with sp leaves; 0: it matches no call. */
static uint32_t return_pops(const struct callgraph_vcpu *g, uint64_t pc, uint64_t sp)
{
    if (g->depth == 0) {
        return 0;
    }
    uint32_t i = g->depth - 1;
    if (sp < g->frames[i].sp) {
        return 0;
    }
    if (sp > g->frames[i].sp) {
        return 1;
    }
    for (uint32_t pops = 1;; pops++, i--) {
        if (g->frames[i].return_address == pc) {
            return pops;
        }
        if (i == 0 || g->frames[i - 1].sp != sp) {
            return 0;
        }
    }
}


static uint8_t name_kind(uint32_t slot)
{
    uint8_t kind = __atomic_load_n(&name_kinds[slot], __ATOMIC_RELAXED);
    if (kind == 0) {
        const char *name = function_name(slot);
        size_t n = name != NULL ? strlen(name) : 0;
        kind = NAME_KNOWN;
        if (n > 5 && strcmp(name + n - 5, ".cold") == 0) {
            kind |= NAME_COLD;
        }
        if (name != NULL && g_str_has_prefix(name, "_dl_runtime_resolve")) {
            kind |= NAME_RESOLVER;
        }
        __atomic_store_n(&name_kinds[slot], kind, __ATOMIC_RELAXED);
    }
    return kind;
}

static bool is_cold_part(uint32_t slot)
{
    return (name_kind(slot) & NAME_COLD) != 0;
}

/* Whether one function is the other's ".cold" part. */
static bool cold_pair(uint32_t a, uint32_t b)
{
    if (is_cold_part(b)) {
        uint32_t t = a;
        a = b;
        b = t;
    }
    if (!is_cold_part(a)) {
        return false;
    }
    const char *cold = function_name(a), *hot = function_name(b);
    size_t n = hot != NULL ? strlen(hot) : 0;
    return hot != NULL && strncmp(cold, hot, n) == 0 && strcmp(cold + n, ".cold") == 0;
}

/* A jump from one function into another is a call (Callgrind's call
 * emulation: tail calls), except between a function and its part the
 * compiler moved away (from, to: function heads). */
static bool jump_is_call(uint32_t from, uint32_t to)
{
    return from != to && !cold_pair(from, to);
}

/*
 * An indirect jump into a function active further down the stack, whose
 * frames above it all have the jump's stack pointer, leaves those frames:
 * a longjmp where calls do not move the stack pointer (aarch64's BL), so
 * that the first callee's frame has the stack pointer the longjmp restores.
 * Returns how many frames it left.
 */
static uint32_t back_into(struct vcpu *vcpu, struct callgraph_vcpu *g, uint32_t slot,
                          uint64_t sp, uint64_t clock)
{
    uint32_t i = g->depth;
    while (i > 0 && g->frames[i - 1].sp == sp && CONTEXT_SLOT(g->frames[i - 1].callee) != slot) {
        i--;
    }
    if (i == g->depth || i == 0 || CONTEXT_SLOT(g->frames[i - 1].callee) != slot) {
        return 0;
    }
    uint32_t left = g->depth - i;
    while (g->depth > i) {
        pop(vcpu, g, clock);
    }
    return left;
}

void callgraph_event(struct vcpu *vcpu, enum callgraph_event event, uint32_t source_slot,
                     uint64_t target_pc, uint32_t target_slot, uint64_t return_address)
{
    if (!valgrind_collecting(vcpu)) {
        /* Calls made outside the collection cost nothing in its profile;
         * one that returns inside it is popped as a frame the stack
         * pointer left. */
        return;
    }
    g_once(&sp_found, find_sp, NULL);
    if (sp_reg == NULL) {
        return;
    }
    uint64_t sp = reg_read(vcpu, sp_reg);
    uint64_t clock = valgrind_clock(vcpu);
    uint32_t source = function_of(source_slot), target = function_of(target_slot);
    struct callgraph_vcpu *g = graph_of(vcpu);
    graph_lock(g);
    struct frame *top = g->depth > 0 ? &g->frames[g->depth - 1] : NULL;
    if (event >= CALLGRAPH_JUMP && top != NULL && top->plt && is_plt(source)) {
        /* A stub's way to its target (through the PLT's head with lazy
         * binding): the caller calls the first function outside the PLT,
         * as Callgrind, which skips PLT code, shows it. */
        if (!is_plt(target)) {
            enter(vcpu, g, top, target, clock);
        }
        graph_unlock(g);
        return;
    }
    if (event >= CALLGRAPH_JUMP && top != NULL && !top->plt && target != source &&
        CONTEXT_SLOT(top->callee) == source && (name_kind(source) & NAME_RESOLVER) != 0) {
        /* The resolver jumps to the function it bound: Callgrind pops its
         * frame and has the caller call that function. */
        struct frame resolved = *top;
        pop(vcpu, g, clock);
        push(vcpu, g, resolved.caller, target, resolved.sp, resolved.return_address, clock);
        graph_unlock(g);
        return;
    }
    switch (event) {
    case CALLGRAPH_CALL:
        unwind(vcpu, g, sp, 0, clock);
        push(vcpu, g, context_of(g, source_slot), target, sp, return_address, clock);
        break;
    case CALLGRAPH_RETURN: {
        /* A return that matches no call is a jump inside the stack. */
        uint32_t pops = return_pops(g, target_pc, sp);
        if (pops > 0) {
            unwind(vcpu, g, sp, pops, clock);
        }
        break;
    }
    case CALLGRAPH_INDIRECT_JUMP:
    case CALLGRAPH_JUMP: {
        uint32_t popped = unwind(vcpu, g, sp, 0, clock);
        if (event == CALLGRAPH_INDIRECT_JUMP) {
            popped += back_into(vcpu, g, target, sp, clock);
        }
        if (popped == 0 && jump_is_call(source, target)) {
            /* The tail-called function returns with its caller's frame. */
            push(vcpu, g, context_of(g, source_slot), target,
                 g->depth > 0 ? g->frames[g->depth - 1].sp : sp, 0, clock);
        }
        break;
    }
    }
    graph_unlock(g);
}

/* The function counters restarted: so do the second levels' counts. */
static void restart_recursions(struct vcpu *vcpu, struct callgraph_vcpu *g)
{
    GHashTableIter it;
    gpointer key, value;
    g_hash_table_iter_init(&it, g->recursions);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        struct recursion *r = value;
        r->collected = 0;
        r->snapshot = valgrind_function_clock(vcpu, GPOINTER_TO_UINT(key));
    }
}

void callgraph_zero(struct vcpu *vcpu, uint64_t clock)
{
    struct callgraph_vcpu *g = vcpu->callgraph;
    if (g == NULL) {
        return;
    }
    graph_lock(g);
    GHashTableIter it;
    gpointer value;
    g_hash_table_iter_init(&it, g->edges);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
        struct edge *e = value;
        e->calls = e->inclusive = 0;
    }
    for (uint32_t i = 0; i < g->depth; i++) {
        g->frames[i].enter = clock;
    }
    restart_recursions(vcpu, g);
    graph_unlock(g);
}

void callgraph_restarted(struct vcpu *vcpu)
{
    struct callgraph_vcpu *g = vcpu->callgraph;
    if (g == NULL) {
        return;
    }
    graph_lock(g);
    restart_recursions(vcpu, g);
    graph_unlock(g);
}

void callgraph_unwind(struct vcpu *vcpu, uint64_t clock)
{
    struct callgraph_vcpu *g = vcpu->callgraph;
    if (g == NULL) {
        return;
    }
    graph_lock(g);
    while (g->depth > 0) {
        pop(vcpu, g, clock);
    }
    graph_unlock(g);
}

void callgraph_vcpu_init(struct vcpu *vcpu)
{
    if (sp_name == NULL) {
        return; /* no call graph */
    }
    /* QEMU gives a new guest thread the index of one that ended: that
     * one's calls ended with it, and so did a branch it left pending. */
    vcpu_counters(vcpu->index)->branch_pending = 0;
    callgraph_unwind(vcpu, valgrind_clock(vcpu));
}

const char *callgraph_recursive_name(uint32_t slot)
{
    g_mutex_lock(&names_lock);
    if (recursive_names[slot] == NULL) {
        const char *name = function_name(slot);
        recursive_names[slot] = g_strdup_printf("%s'2", name != NULL ? name : "?");
    }
    const char *name = recursive_names[slot];
    g_mutex_unlock(&names_lock);
    return name;
}

static const char *context_name(uint32_t context)
{
    uint32_t slot = CONTEXT_SLOT(context);
    return context & 1 ? callgraph_recursive_name(function_of(slot)) : function_name(slot);
}

struct part {
    uint64_t (*clock_of)(struct vcpu *vcpu);
    uint64_t *recursive_self;
    uint32_t n_slots;
    bool restart;
    GHashTable *sums; /* key -> struct edge, over threads */
};

static void add_thread(struct vcpu *vcpu, void *data)
{
    struct part *p = data;
    struct callgraph_vcpu *g = __atomic_load_n(&vcpu->callgraph, __ATOMIC_ACQUIRE);
    if (g == NULL) {
        return;
    }
    graph_lock(g);
    uint64_t clock = p->clock_of(vcpu);
    /* Active calls count up to now in this part, as Callgrind's dump
     * adds them. */
    GHashTable *active = g_hash_table_new(NULL, NULL);
    for (uint32_t i = 0; i < g->depth; i++) {
        struct edge *e = g->frames[i].edge;
        if (e != NULL) {
            uint64_t *extra = g_hash_table_lookup(active, e);
            if (extra == NULL) {
                extra = g_new0(uint64_t, 1);
                g_hash_table_insert(active, e, extra);
            }
            *extra += clock - g->frames[i].enter;
        }
    }
    GHashTableIter it;
    gpointer value;
    g_hash_table_iter_init(&it, g->edges);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
        struct edge *e = value;
        uint64_t *extra = g_hash_table_lookup(active, e);
        uint64_t inclusive = e->inclusive + (extra != NULL ? *extra : 0);
        if (inclusive == 0) {
            continue; /* Callgrind writes (and restarts) edges with a cost */
        }
        struct edge *sum = g_hash_table_lookup(p->sums, &e->key);
        if (sum == NULL) {
            sum = g_new0(struct edge, 1);
            sum->key = e->key;
            g_hash_table_add(p->sums, sum);
        }
        sum->calls += e->calls;
        sum->inclusive += inclusive;
        if (p->restart) {
            e->calls = e->inclusive = 0;
        }
    }
    if (p->restart) {
        /* Callgrind's next part has the active calls from the dump on. */
        for (uint32_t i = 0; i < g->depth; i++) {
            g->frames[i].enter = clock;
        }
    }
    g_hash_table_iter_init(&it, active);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
        g_free(value);
    }
    g_hash_table_destroy(active);
    gpointer key;
    g_hash_table_iter_init(&it, g->recursions);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        struct recursion *r = value;
        uint32_t slot = GPOINTER_TO_UINT(key);
        uint64_t self = r->collected;
        if (g->active[function_of(slot)] >= 2) {
            self += valgrind_function_clock(vcpu, slot) - r->snapshot;
        }
        if (slot < p->n_slots) {
            p->recursive_self[slot] += self;
        }
    }
    graph_unlock(g);
}

GArray *callgraph_part(uint64_t (*clock_of)(struct vcpu *vcpu), uint64_t *recursive_self,
                       uint32_t n_slots, bool restart)
{
    struct part p = {clock_of, recursive_self, n_slots, restart,
                     g_hash_table_new_full(edge_hash, edge_equal, NULL, g_free)};
    vcpu_for_each(add_thread, &p);
    GArray *calls = g_array_new(FALSE, FALSE, sizeof(struct profile_call));
    GHashTableIter it;
    gpointer value;
    g_hash_table_iter_init(&it, p.sums);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
        const struct edge *e = value;
        uint32_t caller = (uint32_t)(e->key >> 32), callee = (uint32_t)e->key;
        const struct code_place *site = function_place(CONTEXT_SLOT(caller));
        const struct code_place *to = function_place(CONTEXT_SLOT(callee));
        struct profile_call c = {context_name(caller), site->object, site->fn_file,
                                 site->file,           site->line,   context_name(callee),
                                 to->object,           to->fn_file,  e->calls,
                                 e->inclusive};
        g_array_append_val(calls, c);
    }
    g_hash_table_destroy(p.sums);
    return calls;
}

uint64_t callgraph_dropped_edges(void)
{
    return __atomic_load_n(&edges_dropped, __ATOMIC_RELAXED);
}
