/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * aarch64 guests: the magic instruction is "orr xzr, x17, x16, ror #42"
 * (0xaad0aa3f), an ORR into the zero register, which hardware executes
 * without effect and compilers never emit. Register map (docs/abi.md):
 * result x0, leaf w1, selector w2, arguments x3..x6.
 */
#include "translate/arch.h"

static bool aarch64_is_magic(const uint8_t *insn, size_t len)
{
    return len == 4 && arch_load_le32(insn) == 0xaad0aa3fu;
}

/* RET Xn (D65F0000 | n << 5), with or without pointer authentication
 * (RETAA, RETAB: D65F0BFF, D65F0FFF). */
static bool aarch64_is_return(const uint8_t *insn, size_t len)
{
    uint32_t word = len == 4 ? arch_load_le32(insn) : 0;
    return (word & 0xfffffc1fu) == 0xd65f0000u || word == 0xd65f0bffu || word == 0xd65f0fffu;
}

/* PSTATE.EL, bits 3:2 of the cpsr QEMU exposes. */
/* The kernel's half is TTBR1's: addresses with the top bits set. */
static bool aarch64_kernel_address(uint64_t vaddr)
{
    return (vaddr >> 63) != 0;
}

static int aarch64_privilege_level(uint64_t cpsr)
{
    return (int)((cpsr >> 2) & 3);
}

/*
 * What Linux switches threads with: "msr ttbr0_el1, xN" (a new address
 * space; its ASID may be in TTBR1_EL1 instead, which does not matter: the
 * table base names the process) and "msr tpidr_el0, xN" (the user thread
 * pointer, written at every switch). MSR (register) is D51 plus the system
 * register's op0:op1:CRn:CRm:op2 and Rt in bits 4:0.
 */
#define MSR_TTBR0_EL1 0xd5182000u /* op0 3, op1 0, CRn 2, CRm 0, op2 0 */
#define MSR_TPIDR_EL0 0xd51bd040u /* op0 3, op1 3, CRn 13, CRm 0, op2 2 */
#define SVC_0 0xd4000001u

static bool aarch64_context_switch(const uint8_t *insn, size_t len, struct switch_site *site)
{
    if (len != 4) {
        return false;
    }
    uint32_t word = arch_load_le32(insn);
    if (word == SVC_0) {
        /* Its number in x8; arm64 Linux's exit and exit_group. */
        site->kind = SWITCH_SYSCALL;
        site->gpr = 8;
        site->exit_thread = 93;
        site->exit_process = 94;
        return true;
    }
    switch (word & ~0x1fu) {
    case MSR_TTBR0_EL1:
        site->kind = SWITCH_ADDRESS_SPACE;
        break;
    case MSR_TPIDR_EL0:
        site->kind = SWITCH_THREAD_POINTER;
        break;
    default:
        return false;
    }
    site->gpr = word & 0x1f;
    return true;
}

/*
 * BL and BLR call; RET (and RETAA/RETAB) returns; B and BR jump. The link
 * register does not move the stack pointer, which the call graph takes
 * into account when it matches returns.
 */
static enum branch_kind aarch64_branch(const uint8_t *insn, size_t len, uint64_t pc,
                                       uint64_t *target)
{
    *target = 0;
    if (len != 4) {
        return BRANCH_NONE;
    }
    uint32_t w = arch_load_le32(insn);
    if ((w & 0xfc000000u) == 0x94000000u || (w & 0xfffffc1fu) == 0xd63f0000u) {
        return BRANCH_CALL;
    }
    if ((w & 0xfffffc1fu) == 0xd65f0000u || w == 0xd65f0bffu || w == 0xd65f0fffu) {
        return BRANCH_RETURN;
    }
    if ((w & 0xfc000000u) == 0x14000000u) {
        int64_t imm = (int64_t)((uint64_t)(w & 0x03ffffffu) << 38) >> 36;
        *target = pc + (uint64_t)imm;
        return BRANCH_JUMP;
    }
    return (w & 0xfffffc1fu) == 0xd61f0000u ? BRANCH_JUMP : BRANCH_NONE;
}

/* x0..x30; number 31 is xzr here, which reads as zero. */
static const char *const aarch64_switch_regs[31] = {
    "x0",  "x1",  "x2",  "x3",  "x4",  "x5",  "x6",  "x7",  "x8",  "x9",  "x10",
    "x11", "x12", "x13", "x14", "x15", "x16", "x17", "x18", "x19", "x20", "x21",
    "x22", "x23", "x24", "x25", "x26", "x27", "x28", "x29", "x30",
};

/* TTBR0_EL1: the user half's table base; bits 63:48 are the ASID and
 * bit 0 CnP. */
static uint64_t aarch64_address_space(uint64_t ttbr0)
{
    return ttbr0 & 0x0000fffffffffffeull;
}

/*
 * valgrind.h: "ror x12, x12, #3, #13, #51, #61" (two turns), then the
 * marker "orr x10, x10, x10"; block address in X4, default and result in
 * X3. Words little-endian, as QEMU hands them over.
 */
static const struct valgrind_flavor aarch64_valgrind[] = {
    {
        .preamble = {{0x8c, 0x0d, 0xcc, 0x93}, {0x8c, 0x35, 0xcc, 0x93},
                     {0x8c, 0xcd, 0xcc, 0x93}, {0x8c, 0xf5, 0xcc, 0x93}},
        .preamble_len = 4,
        .marker = {0x4a, 0x01, 0x0a, 0xaa},
        .marker_len = 4,
        .abi32 = false,
        .va_list = VA_LIST_AARCH64,
        .block_reg = "x4",
        .result_reg = "x3",
    },
};

static const char *const aarch64_targets[] = {"aarch64", NULL};

const struct arch arch_aarch64 = {
    .targets = aarch64_targets,
    .walk_pages = mmu_aarch64_walk,
    .branch = aarch64_branch,
    .regno = {1, 2, 3, 4, 5, 6, 0},
    .regno_abi32 = {1, 2, 3, 4, 5, 6, 0},
    .is_magic = aarch64_is_magic,
    .is_return = aarch64_is_return,
    .stack_pointer_reg = "sp",
    /* A 32-bit constant takes two instructions here: requests are decoded
     * when they execute. */
    .constant_load = arch_no_constant_load,
    .context_switch = aarch64_context_switch,
    .valgrind = aarch64_valgrind,
    .n_valgrind = 1,
    .regs =
        {
            .names = {"x1", "x2", "x3", "x4", "x5", "x6", "x0"},
            .names_abi32 = {"x1", "x2", "x3", "x4", "x5", "x6", "x0"},
            .pc_reg = "pc",
            .privilege_reg = "cpsr",
            .privilege_level = aarch64_privilege_level,
            .address_space_reg = "TTBR0_EL1",
            .address_space = aarch64_address_space,
            .thread_pointer_reg = "TPIDR_EL0",
            .switch_regs = aarch64_switch_regs,
            .n_switch_regs = 31,
            .least_privileged = 0,
            .kernel_address = aarch64_kernel_address,
        },
};
