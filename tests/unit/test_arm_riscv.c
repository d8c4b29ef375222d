/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The aarch64 and riscv64 matchers of thread-switching instructions, on the
 * words Debian's kernels execute (disassembled from their images).
 */
#include <string.h>

#include "translate/arch.h"
#include "unit.h"

static bool matches(const struct arch *arch, uint32_t word, struct switch_site *site)
{
    uint8_t bytes[4] = {(uint8_t)word, (uint8_t)(word >> 8), (uint8_t)(word >> 16),
                        (uint8_t)(word >> 24)};
    memset(site, 0, sizeof *site);
    return arch->context_switch(bytes, sizeof bytes, site);
}

static void aarch64_switches(void)
{
    struct switch_site s;
    CHECK(matches(&arch_aarch64, 0xd5182000u, &s)); /* msr ttbr0_el1, x0 */
    CHECK(s.kind == SWITCH_ADDRESS_SPACE && s.gpr == 0);
    CHECK(matches(&arch_aarch64, 0xd5182002u, &s) && s.gpr == 2);
    CHECK(matches(&arch_aarch64, 0xd51bd040u, &s)); /* msr tpidr_el0, x0 */
    CHECK(s.kind == SWITCH_THREAD_POINTER && s.gpr == 0);
    CHECK(matches(&arch_aarch64, 0xd51bd05fu, &s) && s.gpr == 31); /* xzr */
    CHECK(!matches(&arch_aarch64, 0xd5182022u, &s));  /* msr ttbr1_el1, x2 */
    CHECK(!matches(&arch_aarch64, 0xd51bd060u, &s));  /* msr tpidrro_el0, x0 */
    CHECK(!matches(&arch_aarch64, 0xd518d020u, &s));  /* msr contextidr_el1, x0 */
    CHECK(!matches(&arch_aarch64, 0xd5382000u, &s));  /* mrs x0, ttbr0_el1 */
    CHECK(!matches(&arch_aarch64, 0xaad0aa3fu, &s));  /* the magic instruction */
    const uint8_t short_insn[2] = {0x00, 0x20};
    CHECK(!arch_aarch64.context_switch(short_insn, 2, &s));
}

static void riscv64_switches(void)
{
    struct switch_site s;
    CHECK(matches(&arch_riscv64, 0x18001073u | 10u << 15, &s)); /* csrw satp, a0 */
    CHECK(s.kind == SWITCH_ADDRESS_SPACE && s.gpr == 10);
    CHECK(matches(&arch_riscv64, 0x18051073u | 5u << 7, &s)); /* csrrw t0, satp, a0 */
    CHECK(!matches(&arch_riscv64, 0x18002073u | 10u << 15, &s)); /* csrrs: a read */
    CHECK(!matches(&arch_riscv64, 0x14001073u | 10u << 15, &s)); /* csrw sscratch */
    CHECK(!matches(&arch_riscv64, 0x5a503013u, &s));           /* the magic instruction */
}

static void kernel_addresses(void)
{
    CHECK(arch_aarch64.regs.kernel_address(0xffff800080000000ull));
    CHECK(!arch_aarch64.regs.kernel_address(0x0000aaaab0000000ull));
    CHECK(arch_riscv64.regs.kernel_address(0xffffffff80000000ull));
    CHECK(!arch_riscv64.regs.kernel_address(0x0000000000010000ull));
}

static enum branch_kind branch(uint32_t word, uint64_t pc, uint64_t *target)
{
    uint8_t bytes[4] = {(uint8_t)word, (uint8_t)(word >> 8), (uint8_t)(word >> 16),
                        (uint8_t)(word >> 24)};
    return arch_aarch64.branch(bytes, sizeof bytes, pc, target);
}

/* BL, BLR, RET, B and BR; conditional branches are no calls. */
static void aarch64_branches(void)
{
    uint64_t target;
    CHECK(branch(0x94000010u, 0x1000, &target) == BRANCH_CALL);  /* bl .+64 */
    CHECK(branch(0xd63f0020u, 0x1000, &target) == BRANCH_CALL);  /* blr x1 */
    CHECK(branch(0xd65f03c0u, 0x1000, &target) == BRANCH_RETURN); /* ret */
    CHECK(branch(0xd65f0bffu, 0x1000, &target) == BRANCH_RETURN); /* retaa */
    CHECK(branch(0x17ffffffu, 0x1000, &target) == BRANCH_JUMP && target == 0xffc); /* b .-4 */
    CHECK(branch(0x14000004u, 0x1000, &target) == BRANCH_JUMP && target == 0x1010);
    CHECK(branch(0xd61f0200u, 0x1000, &target) == BRANCH_JUMP && target == 0); /* br x16 */
    CHECK(branch(0x54000041u, 0x1000, &target) == BRANCH_NONE); /* b.ne */
    CHECK(arch_riscv64.branch == NULL);
}

int main(void)
{
    kernel_addresses();
    aarch64_branches();
    aarch64_switches();
    riscv64_switches();
    return unit_report("test_arm_riscv");
}
