/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The services table handed to handler libraries (struct backdoor_host). */
#ifndef BACKDOOR_PLUGIN_COMMANDS_SERVICES_H
#define BACKDOOR_PLUGIN_COMMANDS_SERVICES_H

#include "backdoor/host.h"

/* Filled by services_init() once the commands layer is configured. */
extern struct backdoor_host services_host;
void services_init(void);

#endif
