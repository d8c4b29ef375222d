/* SPDX-License-Identifier: MIT */
/*
 * A handler in C built with -fvisibility=hidden, as libraries that export
 * only their API are: BACKDOOR_HANDLER_EXPORT on each entry point keeps
 * what the plugin looks up visible while the helper stays hidden.
 * tests/test_handler_export.py builds it. Command 0xc02 returns
 * arg0 - arg1; anything else is not handled.
 */
#include <backdoor/host.h>

BACKDOOR_HANDLER_ABI;

enum { CMD_DIFFERENCE = 0xc02 };

uint64_t difference(uint64_t a, uint64_t b);

/* Hidden: not an entry point, and it must not be exported. */
uint64_t difference(uint64_t a, uint64_t b)
{
    return a - b;
}

BACKDOOR_HANDLER_EXPORT int backdoor_handler_call(struct backdoor_call *call)
{
    if (call->type != BACKDOOR_CALL_CALL || call->command != CMD_DIFFERENCE) {
        return BACKDOOR_UNHANDLED;
    }
    call->result = difference(call->args[0], call->args[1]);
    return BACKDOOR_HANDLED;
}
