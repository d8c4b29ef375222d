/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The marks of one container of regions (a vCPU's, a guest thread's):
 * per id, how many and the last value. Each vCPU counts its marks in cells
 * of its own, found through a small cache of its own, so that vCPUs
 * marking in one container at once (a bare-metal SMP kernel's vCPUs share
 * one thread key; a riscv64 process's threads are one) take no lock and
 * write no shared cache line; readers sum the cells.
 */
#ifndef BACKDOOR_PLUGIN_COMMANDS_MARKS_H
#define BACKDOOR_PLUGIN_COMMANDS_MARKS_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

/* A table lives as long as the run: vCPUs' caches point into it. The
 * functions that read one take NULL for a table not made yet. */
struct mark_table;
/* A vCPU's cache of the cells it last counted in; only that vCPU uses it. */
struct mark_cache;

/* max_ids: distinct ids the table tracks; later ones are refused. */
struct mark_table *mark_table_new(unsigned int max_ids);
void mark_table_free(struct mark_table *table);
void mark_cache_free(struct mark_cache *cache);

/* Counts one mark of the calling vCPU (vcpu, with its cache, made on first
 * use) at time ns. False: the id is one too many and was not counted. */
bool mark_add(struct mark_table *table, struct mark_cache **cache, unsigned int vcpu,
              uint64_t id, uint64_t value, uint64_t ns);

/* Ids the table tracks (a reset keeps them). */
unsigned int mark_table_ids(struct mark_table *table);

/* Statistics reset: counts start again from zero (the ids stay tracked). */
void mark_table_reset(struct mark_table *table);

/* An id's marks in one table or several. */
struct mark_total {
    uint64_t id;
    uint64_t count;
    uint64_t last_value;
    uint64_t last_ns; /* when last_value was marked */
};

/* Adds the table's counts into totals (id -> struct mark_total, keyed by
 * its id, made as needed, freed by the caller): the last value is the
 * latest of every vCPU's. Ids with no mark since a reset are left out. */
void mark_table_sum(struct mark_table *table, GHashTable *totals);

/* Checkpoints: one "mark ID COUNT LAST_VALUE" line per id; and one line's
 * rest after "mark " read back (false: not such a line, or one id too
 * many). */
void mark_table_save(struct mark_table *table, GString *out);
bool mark_table_restore(struct mark_table *table, const char *line);

#endif
