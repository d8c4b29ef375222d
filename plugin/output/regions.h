/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * regions=PATH: the final regions as a table other tools load, CSV when the
 * path ends in ".csv", else JSON; one row per region id and vCPU (guest
 * thread in user mode), then one total per id.
 */
#ifndef BACKDOOR_PLUGIN_OUTPUT_REGIONS_H
#define BACKDOOR_PLUGIN_OUTPUT_REGIONS_H

#include <glib.h>

#include "output/records.h"

/* The table for snap, in the format path asks for. */
GString *regions_format(const char *path, const struct run_snapshot *snap);

#endif
