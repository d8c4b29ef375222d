/* SPDX-License-Identifier: MIT */
/*
 * Row 10's C handler: command 0x900 returns the sum of its two arguments,
 * the same command as add.py, so that the two differ only by the language.
 */
#include <backdoor/host.h>

BACKDOOR_HANDLER_ABI;

int backdoor_handler_call(struct backdoor_call *call)
{
    if (call->type != BACKDOOR_CALL_CALL || call->command != 0x900) {
        return BACKDOOR_UNHANDLED;
    }
    call->result = call->args[0] + call->args[1];
    return BACKDOOR_HANDLED;
}
