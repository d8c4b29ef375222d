/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The user's handler library: the project's ABI (backdoor/host.h) or the
 * seed's two helper functions.
 */
#ifndef BACKDOOR_PLUGIN_COMMANDS_HANDLER_H
#define BACKDOOR_PLUGIN_COMMANDS_HANDLER_H

#include <stdbool.h>
#include <stddef.h>

#include "backdoor/host.h"

/* Loads and initialises handler=PATH; on failure a message naming the file
 * and the problem is in err. */
bool handler_load(const char *path, int argc, char **argv,
                  const struct backdoor_host *host, char *err, size_t err_size);

bool handler_loaded(void);

/* What the library returned: BACKDOOR_HANDLED, BACKDOOR_UNHANDLED (also
 * when no library takes the call's type), or anything else a faulty
 * library returns, which the caller counts as a handler error. */
int handler_call(struct backdoor_call *call);

void handler_fini(void);

/* Checkpoints: the handler's state (malloc'd, *len bytes; NULL when it
 * keeps none), and its restoring, refused with a message in err. */
void *handler_save(size_t *len);
bool handler_restore(const void *data, size_t len, char *err, size_t err_size);

#endif
