/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Outputs flushed when a user-mode QEMU is killed by SIGINT, SIGTERM or
 * SIGHUP. System-mode QEMU handles those signals itself and exits normally.
 */
#ifndef BACKDOOR_PLUGIN_CORE_SIGNALS_H
#define BACKDOOR_PLUGIN_CORE_SIGNALS_H

#include <stdbool.h>
#include <stddef.h>

/* For each of those signals whose disposition is still the default. */
bool signals_install(char *err, size_t err_size);

#endif
