/* SPDX-License-Identifier: MIT */
/*
 * The seed's example, guest side: send a few numbers to the host with the
 * two seed calls. Build it like any program; run it under
 *   qemu-x86_64 -plugin libbackdoor.so,handler=libprint-handler.so ./print-guest
 * and the host prints what arrives. Natively it runs and prints nothing.
 */
#include <stdio.h>

#include <backdoor/guest.h>

int main(void)
{
    /* Unbuffered, so guest and host lines interleave in order. */
    setvbuf(stdout, NULL, _IONBF, 0);
    printf("guest: sending 1, then 2 with the values 0..4, then 3 with 42\n");
    BACKDOOR_i8(1);
    for (unsigned v = 0; v < 5; v++) {
        BACKDOOR_i8_v32(2, v);
    }
    BACKDOOR_i8_v32(3, 42);
    printf("guest: done\n");
    return 0;
}
