/* SPDX-License-Identifier: MIT */
/* Claims a handler ABI version this plugin does not implement. */
#include <backdoor/host.h>

__attribute__((visibility("default"))) const uint32_t backdoor_handler_abi_version =
    BACKDOOR_HOST_ABI_VERSION + 41;

int backdoor_handler_call(struct backdoor_call *call);
int backdoor_handler_call(struct backdoor_call *call)
{
    (void)call;
    return BACKDOOR_UNHANDLED;
}
