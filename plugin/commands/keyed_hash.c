/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SipHash-2-4 of two words (commands/keyed_hash.h), after Aumasson and
 * Bernstein's reference: the 16-byte message as two little-endian words. */
#include "commands/keyed_hash.h"

#include <glib.h>
#include <sys/random.h>

static uint64_t k0, k1;

void keyed_hash_init(void)
{
    uint64_t key[2];
    if (getrandom(key, sizeof key, 0) != (ssize_t)sizeof key) {
        /* No entropy source (a very old kernel): still differs per run. */
        key[0] = (uint64_t)g_get_real_time() ^ (uint64_t)(uintptr_t)&key;
        key[1] = (uint64_t)g_get_monotonic_time() * 0x9e3779b97f4a7c15u;
    }
    k0 = key[0];
    k1 = key[1];
}

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

#define SIPROUND                                                                           \
    do {                                                                                   \
        v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32);                          \
        v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;                                             \
        v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;                                             \
        v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32);                          \
    } while (0)

uint64_t keyed_hash2(uint64_t a, uint64_t b)
{
    uint64_t v0 = 0x736f6d6570736575u ^ k0, v1 = 0x646f72616e646f6du ^ k1;
    uint64_t v2 = 0x6c7967656e657261u ^ k0, v3 = 0x7465646279746573u ^ k1;
    const uint64_t words[2] = {a, b};
    for (int i = 0; i < 2; i++) {
        v3 ^= words[i];
        SIPROUND;
        SIPROUND;
        v0 ^= words[i];
    }
    /* The final block: no bytes left, the length (16) in the top byte. */
    uint64_t last = (uint64_t)16 << 56;
    v3 ^= last;
    SIPROUND;
    SIPROUND;
    v0 ^= last;
    v2 ^= 0xff;
    SIPROUND;
    SIPROUND;
    SIPROUND;
    SIPROUND;
    return v0 ^ v1 ^ v2 ^ v3;
}

uint64_t keyed_quick2(uint64_t a, uint64_t b)
{
    uint64_t x = (a ^ k0) * 0x9e3779b97f4a7c15u + (b ^ k1);
    x ^= x >> 29;
    x *= 0xbf58476d1ce4e5b9u;
    return x ^ x >> 32;
}
