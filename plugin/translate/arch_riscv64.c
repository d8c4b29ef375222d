/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * riscv64 guests: the magic instruction is "sltiu zero, zero, 0x5a5"
 * (0x5a503013), in the HINT space the unprivileged ISA designates for custom
 * use: hardware executes it as a no-op and no standard extension will claim
 * it. Register map (docs/abi.md): result a0, leaf a1, selector a2, arguments
 * a3..a6.
 */
#include "translate/arch.h"

static bool riscv64_is_magic(const uint8_t *insn, size_t len)
{
    return len == 4 && arch_load_le32(insn) == 0x5a503013u;
}

/* ret: jalr x0, 0(ra) (00008067), and its compressed form c.jr ra (8082). */
static bool riscv64_is_return(const uint8_t *insn, size_t len)
{
    return (len == 4 && arch_load_le32(insn) == 0x00008067u) ||
           (len == 2 && insn[0] == 0x82 && insn[1] == 0x80);
}

/* QEMU's virtual "priv" register: 0 user, 1 supervisor, 3 machine. */
/* Sv39..Sv57 kernels live at sign-extended negative addresses. */
static bool riscv64_kernel_address(uint64_t vaddr)
{
    return (vaddr >> 63) != 0;
}

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

/*
 * What Linux switches address spaces with: "csrw satp, rs1", which is
 * csrrw with CSR 0x180 (any rd; funct3 1, opcode 0x73). User threads of
 * one process are not told apart: the kernel keeps no user thread pointer
 * in a register of its own (tp is the kernel's current task while it
 * runs), so threads here are processes.
 */
#define ECALL 0x00000073u

static bool riscv64_context_switch(const uint8_t *insn, size_t len, struct switch_site *site)
{
    if (len != 4) {
        return false;
    }
    uint32_t word = arch_load_le32(insn);
    if (word == ECALL) {
        /* Its number in a7 (x17); a thread here is its process, so only
         * riscv64 Linux's exit_group ends one. */
        site->kind = SWITCH_SYSCALL;
        site->gpr = 17;
        site->exit_thread = NO_SYSCALL;
        site->exit_process = 94;
        return true;
    }
    if ((word & 0xfff0707fu) != 0x18001073u) {
        return false;
    }
    site->kind = SWITCH_ADDRESS_SPACE;
    site->gpr = (word >> 15) & 0x1f;
    return true;
}

/* x0..x31 by QEMU's names; x0 reads as zero anyway. */
static const char *const riscv64_switch_regs[32] = {
    "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "fp", "s1", "a0",
    "a1",   "a2", "a3", "a4", "a5", "a6", "a7", "s2", "s3", "s4", "s5",
    "s6",   "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
};

static const char *const riscv64_targets[] = {"riscv64", NULL};

/* x10..x16 are a0..a6. */
const struct arch arch_riscv64 = {
    .targets = riscv64_targets,
    .walk_pages = mmu_riscv64_walk,
    .regno = {11, 12, 13, 14, 15, 16, 10},
    .regno_abi32 = {11, 12, 13, 14, 15, 16, 10},
    .is_magic = riscv64_is_magic,
    .is_return = riscv64_is_return,
    .stack_pointer_reg = "sp|x2",
    /* A 32-bit constant takes two instructions here: requests are decoded
     * when they execute. */
    .constant_load = arch_no_constant_load,
    .context_switch = riscv64_context_switch,
    .switches_from_boot = true,
    .regs =
        {
            .names = {"a1", "a2", "a3", "a4", "a5", "a6", "a0"},
            .names_abi32 = {"a1", "a2", "a3", "a4", "a5", "a6", "a0"},
            .pc_reg = "pc",
            .privilege_reg = "priv",
            .privilege_level = riscv64_privilege_level,
            .address_space_reg = "satp",
            .address_space = riscv64_address_space,
            .switch_regs = riscv64_switch_regs,
            .n_switch_regs = 32,
            .least_privileged = 0,
            .kernel_address = riscv64_kernel_address,
        },
};
