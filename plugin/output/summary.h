/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The human-readable summary table, and its regions and marks as JSON. */
#ifndef BACKDOOR_PLUGIN_OUTPUT_SUMMARY_H
#define BACKDOOR_PLUGIN_OUTPUT_SUMMARY_H

#include <glib.h>

#include "output/records.h"
#include "output/text.h"

/* The header line, call counts, then the snapshot's regions and marks. */
GString *summary_format(const char *title, const struct run_snapshot *snap);

/* The snapshot's regions summed per id (struct roi_total, by id); caller
 * frees with g_array_free. */
GArray *summary_region_totals(const struct run_snapshot *snap);

/* The snapshot as JSON members "calls":{...},"regions":[...],"marks":[...]
 * (docs/outputs.md). */
void summary_regions_json(struct text *out, const struct run_snapshot *snap);

#endif
