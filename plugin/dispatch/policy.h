/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Which decoded calls may be dispatched (options allow-from and deny). */
#ifndef BACKDOOR_PLUGIN_DISPATCH_POLICY_H
#define BACKDOOR_PLUGIN_DISPATCH_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include "backdoor/ops.h"
struct vcpu;

enum privilege_filter {
    ALLOW_FROM_ANY,
    ALLOW_FROM_KERNEL, /* any level above the guest's user level */
    ALLOW_FROM_USER,   /* the guest's user level only */
};

struct policy_config {
    enum privilege_filter allow_from;
    bool system_mode;
    bool denied[BACKDOOR_USER_COMMAND_FIRST]; /* built-in commands refused */
};

/* At install; config is copied. */
void policy_init(const struct policy_config *config);

/* Whether any policy is set: only then is every call checked. */
bool policy_active(void);

/* Whether the check reads registers at run time (the privilege level). */
bool policy_reads_registers(void);

/* Whether a call of this type and command, from this vCPU, may proceed. */
bool policy_allows(struct vcpu *vcpu, enum backdoor_type type, uint32_t command);

#endif
