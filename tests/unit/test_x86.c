/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The x86 instruction matchers and translation-time decoding, on the exact
 * bytes guest.h makes the compiler emit.
 */
#include <string.h>

#include "translate/arch.h"
#include "translate/repeat_rule.h"
#include "translate/site.h"
#include "translate/valgrind_cpu.h"
#include "unit.h"

static void magic(void)
{
    const uint8_t cpuid[] = {0x0f, 0xa2};
    const uint8_t prefixed[] = {0x66, 0x0f, 0xa2};
    const uint8_t rex[] = {0x48, 0x0f, 0xa2};
    const uint8_t other[] = {0x0f, 0x05};
    const uint8_t bad_prefix[] = {0x90, 0x0f, 0xa2};
    CHECK(arch_x86.is_magic(cpuid, 2));
    CHECK(arch_x86.is_magic(prefixed, 3));
    CHECK(arch_x86.is_magic(rex, 3));
    CHECK(!arch_x86.is_magic(other, 2));
    CHECK(!arch_x86.is_magic(bad_prefix, 3));
    CHECK(!arch_x86.is_magic(cpuid, 1));
}

static void constant_loads(void)
{
    uint64_t v;
    const uint8_t mov_eax[] = {0xb8, 0x05, 0x10, 0x00, 0x40};
    const uint8_t mov_edi[] = {0xbf, 0x78, 0x56, 0x34, 0x12};
    const uint8_t mov_r8d[] = {0x41, 0xb8, 0x01, 0x00, 0x00, 0x00};
    const uint8_t mov_ax16[] = {0xb8, 0x05, 0x10};           /* 16-bit code */
    const uint8_t mov_reg[] = {0x89, 0xf8};                  /* mov %edi,%eax */
    const uint8_t movabs[] = {0x48, 0xb8, 1, 2, 3, 4, 5, 6, 7, 8};
    CHECK_EQ(arch_x86.constant_load(mov_eax, 5, &v), 0);
    CHECK_EQ(v, 0x40001005);
    CHECK_EQ(arch_x86.constant_load(mov_edi, 5, &v), 7);
    CHECK_EQ(v, 0x12345678);
    CHECK_EQ(arch_x86.constant_load(mov_r8d, 6, &v), 8);
    CHECK_EQ(v, 1);
    CHECK_EQ(arch_x86.constant_load(mov_ax16, 3, &v), -1);
    CHECK_EQ(arch_x86.constant_load(mov_reg, 2, &v), -1);
    CHECK_EQ(arch_x86.constant_load(movabs, 10, &v), -1);
}

static struct constant_regs regs(int n, const int *regno, const uint64_t *value)
{
    struct constant_regs c;
    memset(&c, 0, sizeof c);
    for (int i = 0; i < n; i++) {
        c.known |= 1ull << regno[i];
        c.value[regno[i]] = value[i];
    }
    return c;
}

static void predecode(void)
{
    struct site s;
    const int *map = arch_x86.regno, *map32 = arch_x86.regno_abi32;

    /* Seed i8_v32 with both words constant: nothing left to read. */
    memset(&s, 0, sizeof s);
    struct constant_regs c = regs(2, (const int[]){0, 1}, (const uint64_t[]){0x40001102, 7});
    CHECK_EQ(site_predecode(&s, &c, map, map32), DECODE_OK);
    CHECK(s.leaf_known && s.selector_known && site_fully_known(&s));
    CHECK_EQ(s.rq.args[0], 7);

    /* Leaf only: the selector is read at run time. */
    memset(&s, 0, sizeof s);
    c = regs(1, (const int[]){0}, (const uint64_t[]){0x40001102});
    CHECK_EQ(site_predecode(&s, &c, map, map32), DECODE_OK);
    CHECK(s.leaf_known && !s.selector_known && !site_fully_known(&s));

    /* Nothing known. */
    memset(&s, 0, sizeof s);
    c = regs(1, (const int[]){1}, (const uint64_t[]){7});
    CHECK_EQ(site_predecode(&s, &c, map, map32), DECODE_OK);
    CHECK(!s.leaf_known);

    /* Constant non-requests need no callback. */
    memset(&s, 0, sizeof s);
    c = regs(1, (const int[]){0}, (const uint64_t[]){0});
    CHECK_EQ(site_predecode(&s, &c, map, map32), DECODE_NOT_OURS);
    c = regs(1, (const int[]){0}, (const uint64_t[]){0x40001300});
    CHECK_EQ(site_predecode(&s, &c, map, map32), DECODE_PROBE);
    c = regs(2, (const int[]){0, 1}, (const uint64_t[]){0x400012b0, 0x12340001});
    CHECK_EQ(site_predecode(&s, &c, map, map32), DECODE_MALFORMED);

    /* Extended, 64-bit map: args in edx, ebx, edi, r8; one unknown. */
    memset(&s, 0, sizeof s);
    c = regs(5, (const int[]){0, 1, 2, 3, 8},
             (const uint64_t[]){0x400012b4, BACKDOOR_SELECTOR(0x900), 10, 11, 13});
    CHECK_EQ(site_predecode(&s, &c, map, map32), DECODE_OK);
    CHECK_EQ(s.rq.command, 0x900);
    CHECK_EQ(s.args_known, 0xb);
    CHECK_EQ(s.rq.args[3], 13);
    CHECK(!site_fully_known(&s));

    /* The 32-bit map takes the fourth argument from ebp, not r8. */
    memset(&s, 0, sizeof s);
    c = regs(7, (const int[]){0, 1, 2, 3, 7, 5, 8},
             (const uint64_t[]){0x400012bc, BACKDOOR_SELECTOR(0x900), 1, 2, 3, 4, 99});
    CHECK_EQ(site_predecode(&s, &c, map, map32), DECODE_OK);
    CHECK(s.rq.abi32 && site_fully_known(&s));
    CHECK_EQ(s.rq.args[3], 4);
}

/* The instructions a 64-bit kernel switches threads with. */
static void context_switches(void)
{
    struct switch_site site;
    static const uint8_t mov_cr3_rax[] = {0x0f, 0x22, 0xd8};
    static const uint8_t mov_cr3_r12[] = {0x41, 0x0f, 0x22, 0xdc};
    static const uint8_t wrfsbase_rdi[] = {0xf3, 0x48, 0x0f, 0xae, 0xd7};
    static const uint8_t wrmsr[] = {0x0f, 0x30};
    static const uint8_t mov_cr0_rax[] = {0x0f, 0x22, 0xc0};
    static const uint8_t wrgsbase_rdi[] = {0xf3, 0x48, 0x0f, 0xae, 0xdf};
    static const uint8_t fxsave[] = {0x0f, 0xae, 0x07};
    CHECK(arch_x86.context_switch(mov_cr3_rax, sizeof mov_cr3_rax, &site));
    CHECK_EQ(site.kind, SWITCH_ADDRESS_SPACE);
    CHECK_EQ(site.gpr, 0);
    CHECK(arch_x86.context_switch(mov_cr3_r12, sizeof mov_cr3_r12, &site));
    CHECK_EQ(site.gpr, 12);
    CHECK(arch_x86.context_switch(wrfsbase_rdi, sizeof wrfsbase_rdi, &site));
    CHECK_EQ(site.kind, SWITCH_THREAD_POINTER);
    CHECK_EQ(site.gpr, 7);
    CHECK(arch_x86.context_switch(wrmsr, sizeof wrmsr, &site));
    CHECK_EQ(site.kind, SWITCH_MSR);
    CHECK(!arch_x86.context_switch(mov_cr0_rax, sizeof mov_cr0_rax, &site));
    CHECK(!arch_x86.context_switch(wrgsbase_rdi, sizeof wrgsbase_rdi, &site));
    CHECK(!arch_x86.context_switch(fxsave, sizeof fxsave, &site));
}

static void repeated_strings(void)
{
    struct repeat_form f;
    const uint8_t rep_movsb[] = {0xf3, 0xa4};
    const uint8_t rep_movsq[] = {0xf3, 0x48, 0xa5};
    const uint8_t repe_cmpsw[] = {0x66, 0xf3, 0xa7};
    const uint8_t repne_scasb[] = {0xf2, 0xae};
    const uint8_t addr32_rep_stosd[] = {0x67, 0xf3, 0xab};
    const uint8_t last_prefix_wins[] = {0xf3, 0xf2, 0xa6};
    const uint8_t movsb[] = {0xa4};
    const uint8_t rep_ret[] = {0xf3, 0xc3};
    const uint8_t pause[] = {0xf3, 0x90};
    const uint8_t rex_before_prefix[] = {0x48, 0xf3, 0xa5};
    CHECK(arch_x86.repeated_string(rep_movsb, 2, &f));
    CHECK(!f.conditional && !f.short_count && f.element_size == 1);
    CHECK(arch_x86.repeated_string(rep_movsq, 3, &f) && f.element_size == 8);
    CHECK(arch_x86.repeated_string(repe_cmpsw, 3, &f));
    CHECK(f.conditional && f.while_equal && !f.with_accumulator && f.element_size == 2);
    CHECK(arch_x86.repeated_string(repne_scasb, 2, &f));
    CHECK(f.conditional && !f.while_equal && f.with_accumulator);
    CHECK(arch_x86.repeated_string(addr32_rep_stosd, 3, &f));
    CHECK(f.short_count && !f.conditional && f.element_size == 4);
    CHECK(arch_x86.repeated_string(last_prefix_wins, 3, &f) && !f.while_equal);
    CHECK(!arch_x86.repeated_string(movsb, 1, &f));
    CHECK(!arch_x86.repeated_string(rep_ret, 2, &f));
    CHECK(!arch_x86.repeated_string(pause, 2, &f));
    CHECK(!arch_x86.repeated_string(rex_before_prefix, 3, &f));
}

/* Callgrind's count, entry by entry: QEMU counted each entry once. */
/* Calls, returns and jumps as GCC emits them (objdump of the test guests). */
static void branches(void)
{
    uint64_t target;
    const uint8_t call_rel[] = {0xe8, 0x10, 0x00, 0x00, 0x00};
    const uint8_t call_reg[] = {0xff, 0xd0};              /* call *%rax */
    const uint8_t call_mem[] = {0x41, 0xff, 0x14, 0x24};  /* call *(%r12) */
    const uint8_t notrack_jmp[] = {0x3e, 0xff, 0xe2};     /* notrack jmp *%rdx */
    const uint8_t ret[] = {0xc3}, rep_ret[] = {0xf3, 0xc3}, ret_imm[] = {0xc2, 0x08, 0x00};
    const uint8_t jmp_rel[] = {0xe9, 0xfb, 0xff, 0xff, 0xff}; /* jmp .-0 */
    const uint8_t jmp_short[] = {0xeb, 0x02};
    const uint8_t push_mem[] = {0xff, 0x30};              /* push (%rax): FF /6 */
    const uint8_t jne[] = {0x75, 0x02};
    CHECK(arch_x86.branch(call_rel, sizeof call_rel, 0x1000, &target) == BRANCH_CALL);
    CHECK(arch_x86.branch(call_reg, sizeof call_reg, 0x1000, &target) == BRANCH_CALL);
    CHECK(arch_x86.branch(call_mem, sizeof call_mem, 0x1000, &target) == BRANCH_CALL);
    CHECK(arch_x86.branch(notrack_jmp, sizeof notrack_jmp, 0x1000, &target) == BRANCH_JUMP &&
          target == 0);
    CHECK(arch_x86.branch(ret, sizeof ret, 0x1000, &target) == BRANCH_RETURN);
    CHECK(arch_x86.branch(rep_ret, sizeof rep_ret, 0x1000, &target) == BRANCH_RETURN);
    CHECK(arch_x86.branch(ret_imm, sizeof ret_imm, 0x1000, &target) == BRANCH_RETURN);
    CHECK(arch_x86.branch(jmp_rel, sizeof jmp_rel, 0x1000, &target) == BRANCH_JUMP &&
          target == 0x1000);
    CHECK(arch_x86.branch(jmp_short, sizeof jmp_short, 0x1000, &target) == BRANCH_JUMP &&
          target == 0x1004);
    CHECK(arch_x86.branch(push_mem, sizeof push_mem, 0x1000, &target) == BRANCH_NONE);
    CHECK(arch_x86.branch(jne, sizeof jne, 0x1000, &target) == BRANCH_NONE);
    CHECK(arch_x86.branch(jmp_short, 1, 0x1000, &target) == BRANCH_JUMP && target == 0);
}

static void repetition_counts(void)
{
    const struct repeat_form copy = {.element_size = 1};
    const struct repeat_form repe = {.conditional = true, .while_equal = true, .element_size = 1};
    /* rep movsb of 100000 in two entries: 100001 with QEMU's two. */
    CHECK_EQ(repeat_extra(copy, 100000, 65537, UINT64_MAX, false) +
                 repeat_extra(copy, 65537, 0, UINT64_MAX, false) + 2, 100001);
    CHECK_EQ(repeat_extra(copy, 0, 0, UINT64_MAX, false), 0);          /* zero count: one */
    CHECK_EQ(repeat_extra(repe, 30, 12, UINT64_MAX, false), 17);       /* a difference: 18 */
    CHECK_EQ(repeat_extra(repe, 30, 0, UINT64_MAX, true), 30);         /* ran out equal: 31 */
    CHECK_EQ(repeat_extra(repe, 30, 0, UINT64_MAX, false), 29);        /* both at once: 30 */
    CHECK_EQ(repeat_extra(copy, 5, 5, UINT64_MAX, false), 0);          /* faulted at once */
    /* ECX only: the upper half neither counts nor wraps. */
    CHECK_EQ(repeat_extra(copy, 0xabcd00001000ull, 0, UINT32_MAX, false), 0x1000);
}

/* Kernel code by address: x86-64's upper half, and i386's above 3 GiB (a
 * 32-bit kernel's instructions were counted as user ones when only bit 63
 * was asked). */
static void kernel_addresses(void)
{
    bool (*kernel)(uint64_t) = arch_x86.regs.kernel_address;
    CHECK(kernel(0xffffffff81000000ull));  /* x86-64 Linux text */
    CHECK(!kernel(0x0000000000401000ull)); /* a static program */
    CHECK(!kernel(0x00007f0000001000ull)); /* a shared library */
    CHECK(kernel(0xc1000000u));            /* i386 Linux text */
    CHECK(!kernel(0x08048000u));           /* an i386 program */
    CHECK(!kernel(0xbffff000u));           /* an i386 stack */
}

/* Valgrind's CPU as a program under Valgrind 3.19 prints it on a host
 * with AVX2, F16C and RDRAND but no RDSEED. */
static void valgrind_cpu(void)
{
    const struct valgrind_cpu_host host = {.f16c = true, .rdrand = true, .rdseed = false};
    uint32_t r[4];
    valgrind_cpuid(&host, 0, 0, r);
    CHECK(r[0] == 0xd && memcmp(&r[1], "Genu", 4) == 0 && memcmp(&r[3], "ineI", 4) == 0 &&
          memcmp(&r[2], "ntel", 4) == 0);
    valgrind_cpuid(&host, 1, 0, r);
    CHECK_EQ(r[2], 0x7ffafbff);
    CHECK_EQ(r[3], 0xbfebfbff);
    valgrind_cpuid(&host, 7, 0, r);
    CHECK_EQ(r[1], 0x27aa);
    valgrind_cpuid(&(struct valgrind_cpu_host){.rdseed = true}, 7, 0, r);
    CHECK_EQ(r[1], 0x427aa);
    valgrind_cpuid(&host, 7, 1, r);
    CHECK(r[0] == 0 && r[1] == 0 && r[2] == 0 && r[3] == 0);
    valgrind_cpuid(&host, 4, 3, r);
    CHECK_EQ(r[0], 0x1c03c163);
    valgrind_cpuid(&host, 0xb, 2, r);
    CHECK(r[0] == 0 && r[1] == 0 && r[2] == 2 && r[3] == 2);
    /* Leaves VEX does not list answer like 0xd.0. */
    valgrind_cpuid(&host, 0x14, 0, r);
    CHECK(r[0] == 7 && r[1] == 0x340 && r[2] == 0x340 && r[3] == 0);
    valgrind_cpuid(&host, 0x40000000, 0, r);
    CHECK_EQ(r[0], 7);
    valgrind_cpuid(&host, 0x80000001, 0, r);
    CHECK(r[2] == 0x21 && r[3] == 0x2c100800);

    /* Feature words keep only what QEMU runs too; the rest is Valgrind's. */
    const uint32_t qemu1[4] = {0x000806f8, 0x00000800, 0x7ffafbff & ~(1u << 12), ~0u};
    valgrind_cpuid(&host, 1, 0, r);
    valgrind_cpuid_runnable(1, 0, qemu1, r);
    CHECK(r[0] == 0x000306c3 && r[1] == 0x02100800 && r[2] == (0x7ffafbffu & ~(1u << 12)));
    /* Leaf 1 has no subleaves: whatever ECX held, the same check. */
    valgrind_cpuid(&host, 1, 0xdeadbeef, r);
    valgrind_cpuid_runnable(1, 0xdeadbeef, qemu1, r);
    CHECK(r[2] == (0x7ffafbffu & ~(1u << 12)));
    const uint32_t qemu7[4] = {2, 0x20, 0, 0};
    valgrind_cpuid(&host, 7, 0, r);
    valgrind_cpuid_runnable(7, 0, qemu7, r);
    /* AVX2 kept; TSC_ADJUST, SMEP and the FPU CS/DS deprecation are no
     * instructions and stay Valgrind's. */
    CHECK(r[0] == 0 && r[1] == 0x20a2);
    /* HTT (leaf 1 EDX bit 28) is no instruction: kept for glibc's cache
     * sizes, whatever QEMU says. */
    const uint32_t no_htt[4] = {0, 0, ~0u, ~(1u << 28)};
    valgrind_cpuid(&host, 1, 0, r);
    valgrind_cpuid_runnable(1, 0, no_htt, r);
    CHECK_EQ(r[3], 0xbfebfbff);
    /* XSAVE writes what QEMU's XCR0 enables (MPX, PKRU): its size. */
    const uint32_t qemu_xsave[4] = {0x21f, 0xa88, 0xa88, 0};
    valgrind_cpuid(&host, 0xd, 0, r);
    valgrind_cpuid_runnable(0xd, 0, qemu_xsave, r);
    CHECK(r[0] == 7 && r[1] == 0xa88 && r[2] == 0xa88);
    const uint32_t qemu_brand[4] = {0, 0, 0, 0};
    valgrind_cpuid(&host, 0x80000002, 0, r);
    valgrind_cpuid_runnable(0x80000002, 0, qemu_brand, r);
    CHECK_EQ(r[0], 0x65746e49);
}

int main(void)
{
    kernel_addresses();
    valgrind_cpu();
    branches();
    context_switches();
    repeated_strings();
    repetition_counts();
    magic();
    constant_loads();
    predecode();
    CHECK(arch_for_target("x86_64") == &arch_x86 && arch_for_target("i386") == &arch_x86);
    CHECK(arch_for_target("sparc64") == NULL);
    return unit_report("test_x86");
}
