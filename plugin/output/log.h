/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The plugin's messages on stderr. The clock its records are stamped with
 * is output/clock.h's, included for the many files that use both. */
#ifndef BACKDOOR_PLUGIN_OUTPUT_LOG_H
#define BACKDOOR_PLUGIN_OUTPUT_LOG_H

#include <glib.h>
#include <stdint.h>

#include "output/clock.h"

/* Message on stderr, prefixed "backdoor: ". */
void plugin_log(const char *format, ...) G_GNUC_PRINTF(1, 2);

#endif
