/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Decoding of the request words (LEAF, SELECTOR) into a request, common to
 * every architecture. Pure functions: unit-tested without QEMU.
 */
#ifndef BACKDOOR_PLUGIN_TRANSLATE_DECODE_H
#define BACKDOOR_PLUGIN_TRANSLATE_DECODE_H

#include <stdbool.h>
#include <stdint.h>

#include "backdoor/host.h"

enum decode_status {
    DECODE_OK,
    DECODE_NOT_OURS,  /* a CPUID (or magic) outside the backdoor range */
    DECODE_PROBE,     /* low byte 0: what hypervisor-signature scans issue */
    DECODE_MALFORMED, /* in the range but not a valid request */
};

struct request {
    enum backdoor_call_type type;
    uint32_t command;   /* seed: i8; extended: 16-bit command */
    unsigned nargs;     /* word arguments in args[] */
    bool abi32;         /* extended call from 32-bit code (i386 register map) */
    bool needs_selector;
    uint64_t args[BACKDOOR_EXT_MAX_ARGS];
};

/* First step: the leaf alone says whether and how to read further. */
enum decode_status decode_leaf(uint32_t leaf, struct request *rq);

/* Second step, for requests with needs_selector: v32 or tag and command. */
enum decode_status decode_selector(uint32_t selector, struct request *rq);

#endif
