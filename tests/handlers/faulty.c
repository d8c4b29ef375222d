/* SPDX-License-Identifier: MIT */
/*
 * A handler that breaks the contract: it returns 7, neither BACKDOOR_HANDLED
 * nor BACKDOOR_UNHANDLED, for every extended call. The plugin must count
 * and name that, and the guest must get BACKDOOR_EIO.
 */
#include <backdoor/host.h>

BACKDOOR_HANDLER_ABI;

int backdoor_handler_call(struct backdoor_call *call);
int backdoor_handler_call(struct backdoor_call *call)
{
    call->result = 12345; /* must not reach the guest */
    return call->type >= BACKDOOR_CALL_CALL ? 7 : BACKDOOR_UNHANDLED;
}
