/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The human-readable summary table and statistics dumps. */
#ifndef BACKDOOR_PLUGIN_SUMMARY_H
#define BACKDOOR_PLUGIN_SUMMARY_H

#include <glib.h>
#include <stdbool.h>

#include "text.h"

/* Regions and marks at one moment, sorted by id. */
struct roi_snapshot {
    GArray *regions; /* struct roi_row */
    GArray *marks;   /* struct mark_row */
    bool at_exit;    /* open regions were closed by the end of emulation */
};

/* at_exit also closes open regions in the trace. */
struct roi_snapshot summary_take_snapshot(bool at_exit);
void summary_free_snapshot(struct roi_snapshot *snap);

/* Call counts over every vCPU, then the snapshot's regions and marks. */
GString *summary_build(const char *title, const struct roi_snapshot *snap);

/* The snapshot as JSON members "regions":[...],"marks":[...]. */
void summary_regions_json(struct text *out, const struct roi_snapshot *snap);

#endif
