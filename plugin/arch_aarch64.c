/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * aarch64 guests: the magic instruction is "orr xzr, x17, x16, ror #42"
 * (0xaad0aa3f), an ORR into the zero register, which hardware executes
 * without effect and compilers never emit. Register map (docs/abi.md):
 * result x0, leaf w1, selector w2, arguments x3..x6.
 */
#include "arch.h"

static uint32_t load_le32(const uint8_t *bytes)
{
    return (uint32_t)bytes[0] | (uint32_t)bytes[1] << 8 |
           (uint32_t)bytes[2] << 16 | (uint32_t)bytes[3] << 24;
}

static bool aarch64_is_magic(const uint8_t *insn, size_t len)
{
    return len == 4 && load_le32(insn) == 0xaad0aa3fu;
}

/* Constants take two instructions (movz, movk) here; requests are decoded
 * when they execute. */
static int aarch64_constant_load(const uint8_t *insn, size_t len, uint64_t *value)
{
    (void)insn, (void)len, (void)value;
    return -1;
}

/* PSTATE.EL, bits 3:2 of the cpsr QEMU exposes. */
static int aarch64_privilege_level(uint64_t cpsr)
{
    return (int)((cpsr >> 2) & 3);
}

static const char *const aarch64_targets[] = {"aarch64", NULL};

const struct arch arch_aarch64 = {
    .name = "aarch64",
    .targets = aarch64_targets,
    .reg_names = {"x1", "x2", "x3", "x4", "x5", "x6", "x0"},
    .reg_names_abi32 = {"x1", "x2", "x3", "x4", "x5", "x6", "x0"},
    .regno = {1, 2, 3, 4, 5, 6, 0},
    .regno_abi32 = {1, 2, 3, 4, 5, 6, 0},
    .is_magic = aarch64_is_magic,
    .constant_load = aarch64_constant_load,
    .privilege_reg = "cpsr",
    .privilege_level = aarch64_privilege_level,
    .least_privileged = 0,
};
