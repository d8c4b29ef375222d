/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Marks (commands/marks.h). A table's lock is taken only to find a cell the
 * first time a vCPU marks an id, and by readers; the mark itself is one
 * vCPU's atomic add on its own cell. A plain add would do for the count's
 * only writer but for a reset from another vCPU, which it could undo.
 */
#include "commands/marks.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>

struct mark_cell {
    uint64_t count;      /* atomic, as are the two below */
    uint64_t last_value;
    uint64_t last_ns;
    unsigned int vcpu;   /* RESTORED_CELL: counts from a checkpoint */
    struct mark_cell *next; /* the same id's cell of another vCPU */
};

/* No vCPU has this index, so no vCPU's marks land in a restored cell. */
#define RESTORED_CELL UINT_MAX

struct mark {
    uint64_t id;
    struct mark_cell *cells;
};

struct mark_table {
    GMutex lock;
    GHashTable *by_id; /* id -> struct mark */
    unsigned int max_ids;
};

/* A power of two: a loop marking a handful of ids keeps them all. */
#define CACHE_SLOTS 16u

struct mark_cache {
    struct {
        const struct mark_table *table;
        uint64_t id;
        struct mark_cell *cell;
    } slot[CACHE_SLOTS];
};

static void mark_free(gpointer data)
{
    struct mark *m = data;
    for (struct mark_cell *c = m->cells, *next; c != NULL; c = next) {
        next = c->next;
        g_free(c);
    }
    g_free(m);
}

struct mark_table *mark_table_new(unsigned int max_ids)
{
    struct mark_table *table = g_new0(struct mark_table, 1);
    g_mutex_init(&table->lock);
    table->by_id = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, mark_free);
    table->max_ids = max_ids;
    return table;
}

void mark_table_free(struct mark_table *table)
{
    if (table != NULL) {
        g_hash_table_destroy(table->by_id);
        g_mutex_clear(&table->lock);
        g_free(table);
    }
}

void mark_cache_free(struct mark_cache *cache)
{
    g_free(cache);
}

/* The id's mark, made if the table has room. Caller holds the lock. */
static struct mark *mark_of(struct mark_table *table, uint64_t id)
{
    struct mark *m = g_hash_table_lookup(table->by_id, &id);
    if (m == NULL && g_hash_table_size(table->by_id) < table->max_ids) {
        m = g_new0(struct mark, 1);
        m->id = id;
        g_hash_table_insert(table->by_id, &m->id, m);
    }
    return m;
}

static struct mark_cell *cell_of(struct mark *m, unsigned int vcpu)
{
    struct mark_cell *c = m->cells;
    while (c != NULL && c->vcpu != vcpu) {
        c = c->next;
    }
    if (c == NULL) {
        c = g_new0(struct mark_cell, 1);
        c->vcpu = vcpu;
        c->next = m->cells;
        m->cells = c;
    }
    return c;
}

bool mark_add(struct mark_table *table, struct mark_cache **cache, unsigned int vcpu,
              uint64_t id, uint64_t value, uint64_t ns)
{
    if (*cache == NULL) {
        *cache = g_new0(struct mark_cache, 1);
    }
    unsigned int i = (unsigned int)(id ^ (uintptr_t)table >> 6) & (CACHE_SLOTS - 1);
    struct mark_cell *cell = NULL;
    if ((*cache)->slot[i].table == table && (*cache)->slot[i].id == id) {
        cell = (*cache)->slot[i].cell;
    } else {
        g_mutex_lock(&table->lock);
        struct mark *m = mark_of(table, id);
        cell = m != NULL ? cell_of(m, vcpu) : NULL;
        g_mutex_unlock(&table->lock);
        if (cell == NULL) {
            return false;
        }
        (*cache)->slot[i].table = table;
        (*cache)->slot[i].id = id;
        (*cache)->slot[i].cell = cell;
    }
    /* The count last: a reader that sees it sees this mark's value. */
    __atomic_store_n(&cell->last_value, value, __ATOMIC_RELAXED);
    __atomic_store_n(&cell->last_ns, ns, __ATOMIC_RELAXED);
    __atomic_fetch_add(&cell->count, 1, __ATOMIC_RELEASE);
    return true;
}

unsigned int mark_table_ids(struct mark_table *table)
{
    if (table == NULL) {
        return 0;
    }
    g_mutex_lock(&table->lock);
    unsigned int n = g_hash_table_size(table->by_id);
    g_mutex_unlock(&table->lock);
    return n;
}

/* Runs visit for each id's mark, under the lock. */
static void for_each_mark(struct mark_table *table, void (*visit)(struct mark *m, void *data),
                          void *data)
{
    if (table == NULL) {
        return;
    }
    g_mutex_lock(&table->lock);
    GHashTableIter it;
    gpointer value;
    g_hash_table_iter_init(&it, table->by_id);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
        visit(value, data);
    }
    g_mutex_unlock(&table->lock);
}

static void zero_mark(struct mark *m, void *unused)
{
    (void)unused;
    for (struct mark_cell *c = m->cells; c != NULL; c = c->next) {
        __atomic_store_n(&c->count, 0, __ATOMIC_RELAXED);
    }
}

void mark_table_reset(struct mark_table *table)
{
    for_each_mark(table, zero_mark, NULL);
}

/* One id's cells summed; count 0 if none marked since a reset. */
static struct mark_total total_of(const struct mark *m)
{
    struct mark_total t = {m->id, 0, 0, 0};
    bool any = false;
    for (const struct mark_cell *c = m->cells; c != NULL; c = c->next) {
        uint64_t count = __atomic_load_n(&c->count, __ATOMIC_ACQUIRE);
        uint64_t ns = __atomic_load_n(&c->last_ns, __ATOMIC_RELAXED);
        if (count == 0) {
            continue;
        }
        t.count += count;
        if (!any || ns >= t.last_ns) {
            t.last_ns = ns;
            t.last_value = __atomic_load_n(&c->last_value, __ATOMIC_RELAXED);
        }
        any = true;
    }
    return t;
}

struct total_visit {
    void (*visit)(const struct mark_total *total, void *data);
    void *data;
};

static void visit_total(struct mark *m, void *data)
{
    const struct total_visit *v = data;
    struct mark_total t = total_of(m);
    if (t.count != 0) {
        v->visit(&t, v->data);
    }
}

/* Runs visit for each id with marks since the last reset, under the lock. */
static void for_each_total(struct mark_table *table,
                           void (*visit)(const struct mark_total *total, void *data), void *data)
{
    struct total_visit v = {visit, data};
    for_each_mark(table, visit_total, &v);
}

static void add_total(const struct mark_total *t, void *data)
{
    GHashTable *totals = data;
    struct mark_total *sum = g_hash_table_lookup(totals, &t->id);
    if (sum == NULL) {
        sum = g_new0(struct mark_total, 1);
        sum->id = t->id;
        g_hash_table_insert(totals, &sum->id, sum);
    }
    sum->count += t->count;
    if (sum->count == t->count || t->last_ns >= sum->last_ns) {
        sum->last_ns = t->last_ns;
        sum->last_value = t->last_value;
    }
}

void mark_table_sum(struct mark_table *table, GHashTable *totals)
{
    for_each_total(table, add_total, totals);
}

static void save_total(const struct mark_total *t, void *data)
{
    g_string_append_printf(data, "mark %" PRIu64 " %" PRIu64 " %" PRIu64 "\n", t->id, t->count,
                           t->last_value);
}

void mark_table_save(struct mark_table *table, GString *out)
{
    for_each_total(table, save_total, out);
}

bool mark_table_restore(struct mark_table *table, const char *line)
{
    uint64_t id, count, last_value;
    if (sscanf(line, "%" SCNu64 " %" SCNu64 " %" SCNu64, &id, &count, &last_value) != 3) {
        return false;
    }
    g_mutex_lock(&table->lock);
    struct mark *m = mark_of(table, id);
    if (m != NULL) {
        /* Older than any mark of this run: its last value gives way. */
        struct mark_cell *c = cell_of(m, RESTORED_CELL);
        c->count += count;
        c->last_value = last_value;
    }
    g_mutex_unlock(&table->lock);
    return m != NULL;
}
