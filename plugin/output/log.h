/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The plugin's messages on stderr, and the clock its records are stamped
 * with. */
#ifndef BACKDOOR_PLUGIN_OUTPUT_LOG_H
#define BACKDOOR_PLUGIN_OUTPUT_LOG_H

#include <glib.h>
#include <stdint.h>

/* Starts the clock: at install. */
void clock_start(void);

/* A restored checkpoint's run goes on from the time it was saved at: the
 * clock reads ns now. */
void clock_continue_from(uint64_t ns);

/* Monotonic nanoseconds since clock_start. */
uint64_t now_ns(void);

/* Message on stderr, prefixed "backdoor: ". */
void plugin_log(const char *format, ...) G_GNUC_PRINTF(1, 2);

#endif
