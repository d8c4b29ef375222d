/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * x86 (i386 and x86-64 guests): the magic instruction is CPUID (0F A2).
 * Register map (docs/abi.md): leaf EAX, selector ECX, arguments EDX, EBX,
 * EDI and R8 (64-bit code) or EBP (32-bit code), result ESI. ESI survives
 * CPUID, so a result written before the instruction executes reaches the
 * guest; EAX..EDX would be overwritten by CPUID itself.
 */
#include "translate/arch.h"

enum { X86_EAX, X86_ECX, X86_EDX, X86_EBX, X86_ESP, X86_EBP, X86_ESI, X86_EDI,
       X86_R8 };

static bool is_legacy_prefix(uint8_t byte)
{
    switch (byte) {
    case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64: case 0x65:
    case 0x66: case 0x67: case 0xf0: case 0xf2: case 0xf3:
        return true;
    default:
        return false;
    }
}

static bool is_rex_prefix(uint8_t byte)
{
    return (byte & 0xf0) == 0x40;
}

/*
 * CPUID, possibly behind prefixes that do not change what it does. QEMU has
 * already split the stream into instructions, so a REX byte here is a prefix
 * of this instruction (in 32-bit code 0x40-0x4f would be an instruction of
 * its own and never reach us as part of this one).
 */
static bool x86_is_magic(const uint8_t *insn, size_t len)
{
    if (len < 2 || insn[len - 2] != 0x0f || insn[len - 1] != 0xa2) {
        return false;
    }
    for (size_t i = 0; i + 2 < len; i++) {
        if (!is_legacy_prefix(insn[i]) && !is_rex_prefix(insn[i])) {
            return false;
        }
    }
    return true;
}

/*
 * The forms guest.h emits: "movl $imm32, %r32" (B8+r, 5 bytes) and, for
 * r8d..r15d, 41 B8+r (6 bytes). Both zero-extend in 64-bit code, which is
 * what the plugin reads back. The length check matters: in 16-bit code B8
 * takes a 16-bit immediate and the instruction is 3 bytes long.
 */
static int x86_constant_load(const uint8_t *insn, size_t len, uint64_t *value)
{
    if (len == 5 && insn[0] >= 0xb8 && insn[0] <= 0xbf) {
        *value = arch_load_le32(insn + 1);
        return insn[0] - 0xb8;
    }
    if (len == 6 && insn[0] == 0x41 && insn[1] >= 0xb8 && insn[1] <= 0xbf) {
        *value = arch_load_le32(insn + 2);
        return 8 + insn[1] - 0xb8;
    }
    return -1;
}

/* CPL is the low two bits of CS in protected and long mode. */
/* Linux runs x86-64 kernels in the upper half of the address space, and
 * i386 kernels above the default 3 GiB split (PAGE_OFFSET 0xC0000000);
 * 32-bit addresses are zero-extended in QEMU's x86-64 target too. */
static bool x86_kernel_address(uint64_t vaddr)
{
    return (vaddr >> 63) != 0 || (vaddr >> 32 == 0 && vaddr >= 0xC0000000u);
}

static int x86_privilege_level(uint64_t cs)
{
    return (int)(cs & 3);
}

/*
 * What a 64-bit kernel switches threads with: "mov %reg, %cr3" (0F 22 /3,
 * register form), "wrfsbase %reg" (F3 [REX.W] 0F AE /2, register form) and
 * "wrmsr" (0F 30). A REX prefix before the opcode extends the register.
 */
static bool x86_context_switch(const uint8_t *insn, size_t len, struct switch_site *site)
{
    size_t i = 0;
    bool rep = len > 0 && insn[0] == 0xf3;
    i += rep;
    unsigned rex_b = 0;
    if (i < len && (insn[i] & 0xf0) == 0x40) {
        rex_b = insn[i] & 1;
        i++;
    }
    if (len - i == 2 && !rep && insn[i] == 0x0f && insn[i + 1] == 0x30) {
        site->kind = SWITCH_MSR;
        site->gpr = 0;
        return true;
    }
    if (len - i == 2 && !rep && insn[i] == 0x0f && insn[i + 1] == 0x05) {
        /* syscall: its number in RAX; x86-64 Linux's exit and exit_group. */
        site->kind = SWITCH_SYSCALL;
        site->gpr = 0;
        site->exit_thread = 60;
        site->exit_process = 231;
        return true;
    }
    if (len - i != 3 || insn[i] != 0x0f || (insn[i + 2] & 0xc0) != 0xc0) {
        return false;
    }
    unsigned reg = (insn[i + 2] >> 3) & 7, rm = (insn[i + 2] & 7) | rex_b << 3;
    if (!rep && insn[i + 1] == 0x22 && reg == 3) {
        site->kind = SWITCH_ADDRESS_SPACE;
    } else if (rep && insn[i + 1] == 0xae && reg == 2) {
        site->kind = SWITCH_THREAD_POINTER;
    } else {
        return false;
    }
    site->gpr = rm;
    return true;
}

/*
 * movs, cmps, stos, lods, scas, ins, outs (A4-A7, AA-AF, 6C-6F) behind a
 * repeat prefix. Of F2 and F3 the last one counts, as on hardware; REX may
 * only come last, right before the opcode.
 */
static bool x86_repeated_string(const uint8_t *insn, size_t len, struct repeat_form *form)
{
    uint8_t repeat = 0;
    bool short_count = false, short_operand = false, wide_operand = false;
    size_t i = 0;
    for (; i + 1 < len && is_legacy_prefix(insn[i]); i++) {
        if (insn[i] == 0xf2 || insn[i] == 0xf3) {
            repeat = insn[i];
        }
        short_count |= insn[i] == 0x67;
        short_operand |= insn[i] == 0x66;
    }
    if (i + 1 < len && is_rex_prefix(insn[i])) {
        wide_operand = insn[i] & 8;
        i++;
    }
    if (repeat == 0 || i + 1 != len) {
        return false;
    }
    uint8_t op = insn[i];
    if (!((op >= 0xa4 && op <= 0xa7) || (op >= 0xaa && op <= 0xaf) ||
          (op >= 0x6c && op <= 0x6f))) {
        return false;
    }
    form->conditional = op == 0xa6 || op == 0xa7 || op == 0xae || op == 0xaf;
    form->while_equal = repeat == 0xf3;
    form->with_accumulator = op == 0xae || op == 0xaf;
    form->short_count = short_count;
    /* The even opcodes work on bytes; the odd ones on words, doublewords
     * or quadwords as the operand size says. */
    form->element_size = !(op & 1) ? 1 : wide_operand ? 8 : short_operand ? 2 : 4;
    return true;
}

/* ret and ret imm16 (C3, C2 iw), also behind the REP and BND prefixes
 * compilers put there (F3 C3, F2 C3). */
static bool x86_is_return(const uint8_t *insn, size_t len)
{
    size_t i = len > 1 && (insn[0] == 0xf3 || insn[0] == 0xf2) ? 1 : 0;
    return (len - i == 1 && insn[i] == 0xc3) || (len - i == 3 && insn[i] == 0xc2);
}

/*
 * call rel (E8), call r/m (FF /2), ret and ret imm16 (C3, C2), jmp rel
 * (E9, EB) and jmp r/m (FF /4), behind any prefixes (notrack 3E, bnd F2,
 * rep F3, REX). Far forms are left alone: user code does not use them.
 */
static enum branch_kind x86_branch(const uint8_t *insn, size_t len, uint64_t pc,
                                   uint64_t *target)
{
    size_t i = 0;
    bool short_operand = false;
    for (; i + 1 < len && (is_legacy_prefix(insn[i]) || is_rex_prefix(insn[i])); i++) {
        short_operand |= insn[i] == 0x66;
    }
    *target = 0;
    if (i >= len) {
        return BRANCH_NONE;
    }
    uint8_t op = insn[i];
    size_t rest = len - i - 1;
    switch (op) {
    case 0xe8:
        return BRANCH_CALL;
    case 0xc3:
    case 0xc2:
        return BRANCH_RETURN;
    case 0xeb:
        if (rest == 1) {
            *target = pc + len + (uint64_t)(int64_t)(int8_t)insn[i + 1];
        }
        return BRANCH_JUMP;
    case 0xe9:
        if (rest == 4) {
            *target = pc + len + (uint64_t)(int64_t)(int32_t)arch_load_le32(insn + i + 1);
        } else if (rest == 2 && short_operand) {
            *target = pc + len + (uint64_t)(int64_t)(int16_t)(insn[i + 1] | insn[i + 2] << 8);
        }
        return BRANCH_JUMP;
    case 0xff: {
        if (rest == 0) {
            return BRANCH_NONE;
        }
        unsigned reg = (insn[i + 1] >> 3) & 7;
        return reg == 2 ? BRANCH_CALL : reg == 4 ? BRANCH_JUMP : BRANCH_NONE;
    }
    default:
        return BRANCH_NONE;
    }
}

/* CR3: the PML4 (or PD) base; with CR4.PCIDE its low 12 bits are the
 * PCID, and bit 63 is only a flag of the write. */
static uint64_t x86_address_space(uint64_t cr3)
{
    return cr3 & 0x000ffffffffff000ull;
}

/*
 * valgrind.h: 64-bit code rotates RDI by 3, 13, 61 and 51 (two turns) and
 * marks a client request with xchg %rbx,%rbx; 32-bit code rotates EDI by 3,
 * 13, 29 and 19 and uses xchg %ebx,%ebx. The block address is in RAX/EAX,
 * the default and the result in RDX/EDX, which neither instruction touches.
 */
static const struct valgrind_flavor x86_valgrind[] = {
    {
        .preamble = {{0x48, 0xc1, 0xc7, 3}, {0x48, 0xc1, 0xc7, 13},
                     {0x48, 0xc1, 0xc7, 61}, {0x48, 0xc1, 0xc7, 51}},
        .preamble_len = 4,
        .marker = {0x48, 0x87, 0xdb},
        .marker_len = 3,
        .abi32 = false,
        .va_list = VA_LIST_X86_64,
        .block_reg = "rax",
        .result_reg = "rdx",
    },
    {
        .preamble = {{0xc1, 0xc7, 3}, {0xc1, 0xc7, 13}, {0xc1, 0xc7, 29}, {0xc1, 0xc7, 19}},
        .preamble_len = 3,
        .marker = {0x87, 0xdb},
        .marker_len = 2,
        .abi32 = true,
        .va_list = VA_LIST_I386,
        .block_reg = "rax|eax",
        .result_reg = "rdx|edx",
    },
};

static const char *const x86_targets[] = {"x86_64", "i386", NULL};

/* The registers of ModRM numbers 0-15, as switching instructions name them. */
static const char *const x86_switch_regs[] = {
    "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
    "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15",
};

const struct arch arch_x86 = {
    .targets = x86_targets,
    .walk_pages = mmu_x86_walk,
    .branch = x86_branch,
    .regno = {X86_EAX, X86_ECX, X86_EDX, X86_EBX, X86_EDI, X86_R8, X86_ESI},
    .regno_abi32 = {X86_EAX, X86_ECX, X86_EDX, X86_EBX, X86_EDI, X86_EBP,
                    X86_ESI},
    .is_magic = x86_is_magic,
    .constant_load = x86_constant_load,
    .context_switch = x86_context_switch,
    .repeated_string = x86_repeated_string,
    .is_return = x86_is_return,
    .stack_pointer_reg = "rsp|esp",
    .valgrind = x86_valgrind,
    .n_valgrind = 2,
    .regs =
        {
            /* qemu-x86_64 names registers rax..r15 (32-bit code reads
             * zero-extended values), qemu-i386 eax..edi: each slot lists both. */
            .names = {"rax|eax", "rcx|ecx", "rdx|edx", "rbx|ebx", "rdi|edi", "r8",
                      "rsi|esi"},
            .names_abi32 = {"rax|eax", "rcx|ecx", "rdx|edx", "rbx|ebx", "rdi|edi",
                            "rbp|ebp", "rsi|esi"},
            .pc_reg = "rip|eip",
            .privilege_reg = "cs",
            .privilege_level = x86_privilege_level,
            .address_space_reg = "cr3",
            .address_space = x86_address_space,
            .thread_pointer_reg = "fs_base",
            .switch_regs = x86_switch_regs,
            .n_switch_regs = 16,
            .least_privileged = 3,
            .kernel_address = x86_kernel_address,
        },
};
