/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Which decoded calls may be dispatched (options allow-from and deny). */
#ifndef BACKDOOR_PLUGIN_POLICY_H
#define BACKDOOR_PLUGIN_POLICY_H

#include "dispatch.h"

/* Whether the call may proceed; reads the privilege level only when the
 * allow-from option asks for it. */
bool policy_allows(struct call_ctx *ctx);

/* Whether any policy needs registers at run time. */
bool policy_reads_registers(void);

/* Privilege level of the calling vCPU, -1 if unknown. */
int policy_privilege_level(struct vcpu_state *vs);

#endif
