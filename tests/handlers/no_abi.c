/* SPDX-License-Identifier: MIT */
/* Exports the call entry point but forgets BACKDOOR_HANDLER_ABI. */
#include <backdoor/host.h>

int backdoor_handler_call(struct backdoor_call *call);
int backdoor_handler_call(struct backdoor_call *call)
{
    (void)call;
    return BACKDOOR_HANDLED;
}
