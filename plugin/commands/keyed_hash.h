/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A hash of two words that the guest cannot steer into collisions: SipHash-2-4
 * keyed with 128 random bits drawn once per run. The guest picks the values
 * it hashes (thread keys); with an unkeyed hash it could choose them all
 * alike and make every lookup walk one chain.
 */
#ifndef BACKDOOR_PLUGIN_COMMANDS_KEYED_HASH_H
#define BACKDOOR_PLUGIN_COMMANDS_KEYED_HASH_H

#include <stdint.h>

/* Draws the run's key; at install, before any hashing. */
void keyed_hash_init(void);

uint64_t keyed_hash2(uint64_t a, uint64_t b);

/* A few multiplications under the same key: no bound on collisions, for a
 * filter that only says where keyed_hash2's table need not be asked (a
 * collision there costs the lookup it saves, no more). */
uint64_t keyed_quick2(uint64_t a, uint64_t b);

#endif
