/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Policy. Off by default; when on, it costs one register read per call, so
 * it is read only when allow-from is not "any".
 */
#include "policy.h"

#include "registers.h"

int policy_privilege_level(struct vcpu_state *vs)
{
    if (!bd.system_mode) {
        return bd.arch->least_privileged;
    }
    if (bd.privilege_reg == NULL) {
        return -1;
    }
    return bd.arch->privilege_level(reg_read(vs, bd.privilege_reg));
}

bool policy_reads_registers(void)
{
    return bd.opts.allow_from != ALLOW_FROM_ANY && bd.system_mode;
}

bool policy_allows(struct call_ctx *ctx)
{
    const struct request *rq = &ctx->rq;
    bool extended = rq->type != BACKDOOR_CALL_I8 && rq->type != BACKDOOR_CALL_I8_V32;
    if (extended && rq->command < OPTIONS_BUILTIN_LIMIT &&
        bd.opts.denied[rq->command]) {
        return false;
    }
    if (bd.opts.allow_from == ALLOW_FROM_ANY) {
        return true;
    }
    /* Kernel means any level above user code: x86 CPL 0-2, Arm EL1-3,
     * RISC-V S and M. */
    bool user = policy_privilege_level(ctx->vs) == bd.arch->least_privileged;
    return bd.opts.allow_from == ALLOW_FROM_USER ? user : !user;
}
