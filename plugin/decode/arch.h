/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What differs between guest architectures: the magic instruction, where a
 * request's words live (register map), how a constant is loaded in the
 * instruction stream, and how the privilege level is read. One table entry
 * per architecture, chosen from QEMU's target name at install; adding an
 * architecture means one new arch_<name>.c and one line in arch.c.
 */
#ifndef BACKDOOR_PLUGIN_DECODE_ARCH_H
#define BACKDOOR_PLUGIN_DECODE_ARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guest/layout.h"

/* Longest instruction any architecture here has (x86: 15 bytes). */
#define ARCH_MAX_INSN_BYTES 16

struct arch {
    const char *const *targets; /* QEMU target names, NULL-terminated */
    struct register_layout regs; /* names, privilege (guest/registers.h) */
    /* Architectural register number of each role, for constant tracking. */
    int regno[ROLE_COUNT];
    int regno_abi32[ROLE_COUNT];
    bool (*is_magic)(const uint8_t *insn, size_t len);
    /*
     * If insn loads a constant into a register (and nothing else), returns
     * that register's number and its value; else -1.
     */
    int (*constant_load)(const uint8_t *insn, size_t len, uint64_t *value);
};

/* A little-endian 32-bit word, as instruction bytes come from QEMU. */
uint32_t arch_load_le32(const uint8_t *bytes);

/* constant_load for architectures without translation-time decoding. */
int arch_no_constant_load(const uint8_t *insn, size_t len, uint64_t *value);

/* The entry for QEMU target name, or NULL. */
const struct arch *arch_for_target(const char *target_name);

/* "x86_64, i386, ..." for error messages. */
const char *arch_supported_targets(void);

extern const struct arch arch_x86;
extern const struct arch arch_aarch64;
extern const struct arch arch_riscv64;

#endif
