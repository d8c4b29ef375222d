/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The human-readable summary table and statistics dumps. */
#ifndef BACKDOOR_PLUGIN_SUMMARY_H
#define BACKDOOR_PLUGIN_SUMMARY_H

#include <glib.h>
#include <stdbool.h>

/* Call counts over every vCPU, then regions and marks. at_exit closes open
 * regions (and says so). */
GString *summary_build(const char *title, bool at_exit);

/* Regions and marks only, as JSON members "regions":[...],"marks":[...]. */
void summary_regions_json(GString *out, bool at_exit);

#endif
