/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Policy. Off by default; when on, it costs one register read per call, so
 * it is read only when allow-from is not "any".
 */
#include "dispatch/policy.h"

#include "qemu/registers.h"

static struct policy_config config;
static bool active;

void policy_init(const struct policy_config *policy_config)
{
    config = *policy_config;
    active = config.allow_from != ALLOW_FROM_ANY;
    for (unsigned i = 0; i < BACKDOOR_USER_COMMAND_FIRST; i++) {
        active |= config.denied[i];
    }
}

bool policy_active(void)
{
    return active;
}

bool policy_reads_registers(void)
{
    return config.allow_from != ALLOW_FROM_ANY && config.system_mode;
}

bool policy_allows(struct vcpu *vcpu, enum backdoor_type type, uint32_t command)
{
    bool extended = type != BACKDOOR_TYPE_I8 && type != BACKDOOR_TYPE_I8_V32;
    if (extended && command < BACKDOOR_USER_COMMAND_FIRST && config.denied[command]) {
        return false;
    }
    if (config.allow_from == ALLOW_FROM_ANY) {
        return true;
    }
    /* Kernel means any level above user code: x86 CPL 0-2, Arm EL1-3,
     * RISC-V S and M. */
    bool user = guest_is_user_level(guest_privilege_level(vcpu));
    return config.allow_from == ALLOW_FROM_USER ? user : !user;
}
