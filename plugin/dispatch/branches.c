/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The callback of a block reached by a call, a return or a jump that
 * translation marked (translate/call_sites.h): takes the mark off the vCPU's
 * scoreboard and hands the event to the call graph (commands/callgraph.h).
 */
#include "dispatch/dispatch.h"

#include "commands/callgraph.h"
#include "translate/call_sites.h"
#include "qemu/vcpu.h"

void dispatch_on_branch(unsigned int vcpu_index, void *udata)
{
    struct vcpu_counters *counters = vcpu_counters(vcpu_index);
    uint64_t pending = counters->branch_pending;
    uint64_t return_address = counters->branch_return_address;
    counters->branch_pending = 0;
    struct vcpu *vcpu = vcpu_get(vcpu_index);
    if (vcpu == NULL) {
        return;
    }
    const struct call_target *target = udata;
    enum callgraph_event event;
    switch (CALL_SITE_KIND(pending)) {
    case BRANCH_CALL:
        event = CALLGRAPH_CALL;
        break;
    case BRANCH_RETURN:
        event = CALLGRAPH_RETURN;
        break;
    case BRANCH_JUMP:
        event = CALL_SITE_IS_INDIRECT(pending) ? CALLGRAPH_INDIRECT_JUMP : CALLGRAPH_JUMP;
        break;
    default:
        return;
    }
    callgraph_event(vcpu, event, CALL_SITE_SOURCE_SLOT(pending), target->pc, target->slot,
                    return_address);
}
