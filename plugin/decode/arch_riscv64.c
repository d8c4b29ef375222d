/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * riscv64 guests: the magic instruction is "sltiu zero, zero, 0x5a5"
 * (0x5a503013), in the HINT space the unprivileged ISA designates for custom
 * use: hardware executes it as a no-op and no standard extension will claim
 * it. Register map (docs/abi.md): result a0, leaf a1, selector a2, arguments
 * a3..a6.
 */
#include "decode/arch.h"

static bool riscv64_is_magic(const uint8_t *insn, size_t len)
{
    return len == 4 && arch_load_le32(insn) == 0x5a503013u;
}

/* QEMU's virtual "priv" register: 0 user, 1 supervisor, 3 machine. */
static int riscv64_privilege_level(uint64_t priv)
{
    return (int)(priv & 3);
}

/* satp: mode in bits 63:60, ASID in 59:44, the root table's page number
 * below; the process level only (docs/outputs.md). */
static uint64_t riscv64_address_space(uint64_t satp)
{
    return (satp & ((1ull << 44) - 1)) << 12;
}

static const char *const riscv64_targets[] = {"riscv64", NULL};

/* x10..x16 are a0..a6. */
const struct arch arch_riscv64 = {
    .targets = riscv64_targets,
    .regno = {11, 12, 13, 14, 15, 16, 10},
    .regno_abi32 = {11, 12, 13, 14, 15, 16, 10},
    .is_magic = riscv64_is_magic,
    /* A 32-bit constant takes two instructions here: requests are decoded
     * when they execute. */
    .constant_load = arch_no_constant_load,
    .regs =
        {
            .names = {"a1", "a2", "a3", "a4", "a5", "a6", "a0"},
            .names_abi32 = {"a1", "a2", "a3", "a4", "a5", "a6", "a0"},
            .pc_reg = "pc",
            .privilege_reg = "priv",
            .privilege_level = riscv64_privilege_level,
            .address_space_reg = "satp",
            .address_space = riscv64_address_space,
            .least_privileged = 0,
        },
};
