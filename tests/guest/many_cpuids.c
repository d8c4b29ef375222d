/* SPDX-License-Identifier: MIT */
/*
 * A JIT's worth of CPUIDs: N copies of "cpuid; ret" at distinct addresses,
 * each called with a leaf set at run time (in the caller's block, so no
 * translation knows it), some in the backdoor range. Usage: many_cpuids N.
 * Prints how many backdoor calls it made, so a test can compare with the
 * plugin's count.
 */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS under -std=c11 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#include <backdoor/guest.h>

typedef void (*cpuid_fn)(uint32_t leaf);

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 100000;
    /* mov %edi,%eax; cpuid; ret: the leaf comes from the caller. */
    static const uint8_t stub[] = {0x89, 0xf8, 0x31, 0xc9, 0x53, 0x0f, 0xa2, 0x5b, 0xc3};
    size_t stride = 16;
    uint8_t *code = mmap(NULL, (size_t)n * stride, PROT_READ | PROT_WRITE | PROT_EXEC,
                         MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (code == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    for (long i = 0; i < n; i++) {
        for (size_t b = 0; b < sizeof stub; b++) {
            code[i * stride + b] = stub[b];
        }
    }
    long calls = 0;
    for (long i = 0; i < n; i++) {
        /* Every 16th one a seed call (i8 = 1); the rest plain CPUIDs. */
        uint32_t leaf = i % 16 == 0 ? BACKDOOR_LEAF(BACKDOOR_TYPE_I8, 1) : 0;
        calls += i % 16 == 0;
        ((cpuid_fn)(void *)(code + i * stride))(leaf);
    }
    printf("backdoor calls: %ld\n", calls);
    return 0;
}
