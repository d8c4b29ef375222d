/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The mark table (plugin/commands/marks.c): threads standing for vCPUs
 * mark the same ids of one table at once, each through its own cache, and
 * no mark is lost; the sum, the last value by time, the limit of ids, a
 * reset and a checkpoint's lines read back.
 */
#include <pthread.h>
#include <string.h>

#include "commands/marks.h"
#include "unit.h"

#define VCPUS 4
#define MARKS 200000u
#define IDS 24u /* more than a cache holds: lookups miss as well as hit */

static struct mark_table *shared;

static void *marker(void *arg)
{
    unsigned int vcpu = (unsigned int)(uintptr_t)arg;
    struct mark_cache *cache = NULL;
    for (unsigned int i = 0; i < MARKS; i++) {
        /* value: who and when; ns: this vCPU's marks are later the higher
         * its number, so vCPU 3's last value is the last of all. */
        mark_add(shared, &cache, vcpu, i % IDS, vcpu * 1000000u + i,
                 (uint64_t)vcpu * 10000000u + i);
    }
    mark_cache_free(cache);
    return NULL;
}

static struct mark_total *total(GHashTable *totals, uint64_t id)
{
    return g_hash_table_lookup(totals, &id);
}

static GHashTable *sum(struct mark_table *table)
{
    GHashTable *totals = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, g_free);
    mark_table_sum(table, totals);
    return totals;
}

static void concurrent_marks_all_count(void)
{
    shared = mark_table_new(4096);
    pthread_t threads[VCPUS];
    for (uintptr_t v = 0; v < VCPUS; v++) {
        pthread_create(&threads[v], NULL, marker, (void *)v);
    }
    for (unsigned int v = 0; v < VCPUS; v++) {
        pthread_join(threads[v], NULL);
    }
    GHashTable *totals = sum(shared);
    CHECK_EQ(g_hash_table_size(totals), IDS);
    uint64_t all = 0;
    for (uint64_t id = 0; id < IDS; id++) {
        struct mark_total *t = total(totals, id);
        CHECK(t != NULL);
        if (t != NULL) {
            all += t->count;
            /* vCPU 3's last mark of this id */
            unsigned int last_i = (MARKS - 1 - (unsigned int)id) / IDS * IDS + (unsigned int)id;
            CHECK_EQ(t->last_value, 3u * 1000000u + last_i);
        }
    }
    CHECK_EQ(all, (uint64_t)VCPUS * MARKS);
    g_hash_table_destroy(totals);
}

static void too_many_ids_are_refused(void)
{
    struct mark_table *table = mark_table_new(3);
    struct mark_cache *cache = NULL;
    CHECK(mark_add(table, &cache, 0, 10, 1, 1));
    CHECK(mark_add(table, &cache, 0, 11, 1, 2));
    CHECK(mark_add(table, &cache, 0, 12, 1, 3));
    CHECK(!mark_add(table, &cache, 0, 13, 1, 4));
    CHECK(mark_add(table, &cache, 1, 12, 1, 5)); /* a known id from another vCPU */
    CHECK_EQ(mark_table_ids(table), 3);
    mark_cache_free(cache);
    mark_table_free(table);
}

static void reset_keeps_cached_cells(void)
{
    struct mark_table *table = mark_table_new(16);
    struct mark_cache *cache = NULL;
    mark_add(table, &cache, 0, 7, 70, 1);
    mark_add(table, &cache, 0, 8, 80, 2);
    mark_table_reset(table);
    GHashTable *totals = sum(table);
    CHECK_EQ(g_hash_table_size(totals), 0); /* nothing marked since */
    g_hash_table_destroy(totals);
    mark_add(table, &cache, 0, 7, 71, 3); /* through the cache */
    totals = sum(table);
    CHECK_EQ(g_hash_table_size(totals), 1);
    CHECK(total(totals, 7) != NULL && total(totals, 7)->count == 1 &&
          total(totals, 7)->last_value == 71);
    g_hash_table_destroy(totals);
    mark_cache_free(cache);
    mark_table_free(table);
}

static void checkpoint_lines_read_back(void)
{
    struct mark_table *table = mark_table_new(16), *copy = mark_table_new(16);
    struct mark_cache *cache = NULL;
    mark_add(table, &cache, 0, 5, 50, 1);
    mark_add(table, &cache, 1, 5, 51, 2);
    mark_add(table, &cache, 1, 6, 60, 3);
    GString *text = g_string_new("");
    mark_table_save(table, text);
    gchar **lines = g_strsplit(text->str, "\n", -1);
    unsigned int read = 0;
    for (gchar **l = lines; *l != NULL; l++) {
        if (strncmp(*l, "mark ", 5) == 0) {
            CHECK(mark_table_restore(copy, *l + 5));
            read++;
        }
    }
    CHECK_EQ(read, 2);
    CHECK(!mark_table_restore(copy, "5 x"));
    /* A restored run's marks add to the saved ones, and their values are later. */
    struct mark_cache *after = NULL;
    mark_add(copy, &after, 0, 6, 61, 1);
    GHashTable *totals = sum(copy);
    CHECK(total(totals, 5) != NULL && total(totals, 5)->count == 2 &&
          total(totals, 5)->last_value == 51);
    CHECK(total(totals, 6) != NULL && total(totals, 6)->count == 2 &&
          total(totals, 6)->last_value == 61);
    g_hash_table_destroy(totals);
    g_strfreev(lines);
    g_string_free(text, TRUE);
    mark_cache_free(cache);
    mark_cache_free(after);
    mark_table_free(table);
    mark_table_free(copy);
}

/* A container that never marked has no table: readers take NULL. */
static void no_table_reads_as_empty(void)
{
    CHECK_EQ(mark_table_ids(NULL), 0);
    mark_table_reset(NULL);
    GHashTable *totals = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, g_free);
    mark_table_sum(NULL, totals);
    CHECK_EQ(g_hash_table_size(totals), 0);
    g_hash_table_destroy(totals);
    GString *text = g_string_new("");
    mark_table_save(NULL, text);
    CHECK_EQ(text->len, 0);
    g_string_free(text, TRUE);
}

int main(void)
{
    no_table_reads_as_empty();
    concurrent_marks_all_count();
    too_many_ids_are_refused();
    reset_keeps_cached_cells();
    checkpoint_lines_read_back();
    return unit_report("marks");
}
