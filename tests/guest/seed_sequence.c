/* SPDX-License-Identifier: MIT */
/*
 * A known sequence of seed calls (types 0 and 1), interleaved with
 * hypervisor-probe-shaped, malformed and plain CPUIDs, with constant and run-
 * time values. tests/test_seed.py holds the sequence a handler must see.
 */
#include <backdoor/guest.h>

#include "raw_magic.h"

/* Opaque to the compiler, so these reach CPUID through registers. */
volatile uint32_t runtime_i8 = 9, runtime_v32 = 123456789;

int main(void)
{
    BACKDOOR_i8(1);
    raw_magic(0x40000000, 0);          /* hypervisor signature leaf */
    BACKDOOR_i8_v32(2, 0xdeadbeef);
    raw_magic(0x40001000, 0x1234);     /* probe shape: type 0, i8 0 */
    raw_magic(0x40001100, 0x77777777); /* probe shape: type 1, i8 0 */
    raw_magic(0, 0);                   /* plain CPUIDs */
    raw_magic(1, 0);
    BACKDOOR_i8(255);
    raw_magic(0x40001505, 0);          /* type 5: malformed */
    raw_magic(0x40001201, 0);          /* extended without magic: malformed */
    raw_magic(0x400012b0, 0x12340001); /* extended with a wrong tag: malformed */
    BACKDOOR_i8(0);                    /* i8 0 is reserved: never dispatched */
    BACKDOOR_i8_v32(runtime_i8, runtime_v32);
    for (uint32_t i = 0; i < 5; i++) {
        BACKDOOR_i8_v32(4, i);
    }
    for (uint32_t leaf = 0x40000000; leaf <= 0x4000ff00; leaf += 0x100) {
        raw_magic(leaf, leaf * 2654435761u); /* a full signature scan */
    }
    BACKDOOR_i8(runtime_i8 + 1);
    return 0;
}
