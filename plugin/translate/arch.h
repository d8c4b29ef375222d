/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What differs between guest architectures, one descriptor each: the magic
 * instruction, where a request's words live (register map), how a constant
 * is loaded in the instruction stream, how the privilege level is read,
 * which addresses are the kernel's, the page-table walker, thread switches,
 * repeated string instructions and Valgrind's sequences. The descriptor is
 * chosen from QEMU's target name at install. In the plugin, a new
 * architecture is one new arch_<name>.c (and, for system mode, its walker
 * qemu/mmu_<name>.c) and one line in arch.c; HACKING.md lists what else
 * knows architectures (guest.h's ladder, qemu-backdoor's ELF table, the
 * tests' register maps).
 */
#ifndef BACKDOOR_PLUGIN_TRANSLATE_ARCH_H
#define BACKDOOR_PLUGIN_TRANSLATE_ARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "qemu/context.h"
#include "qemu/layout.h"
#include "qemu/mmu.h"

/* Longest instruction any architecture here has (x86: 15 bytes). */
#define ARCH_MAX_INSN_BYTES 16

/*
 * A string instruction with a repeat prefix (x86 rep movsb, repe cmpsb,
 * ...), which QEMU counts as one instruction however often it repeats
 * (translate/repeats.h counts the repetitions where asked).
 */
struct repeat_form {
    bool conditional;  /* cmps and scas: a compare can end the repetition */
    bool while_equal;  /* repe (F3): goes on while ZF is set; repne: clear */
    bool short_count;  /* address-size prefix: ECX in 64-bit code, CX in 32 */
    bool with_accumulator; /* scas: compares memory with AL, AX, EAX or RAX */
    uint8_t element_size;  /* bytes moved or compared per repetition */
};

/*
 * Valgrind's client-request sequence as valgrind.h emits it for one code
 * width: a preamble of four rotates of one register that add up to whole
 * turns (so it changes nothing), then a marker instruction that is itself a
 * no-op. Matched byte for byte, as Valgrind's own decoder does.
 */
#define VALGRIND_PREAMBLE_INSNS 4
struct valgrind_flavor {
    uint8_t preamble[VALGRIND_PREAMBLE_INSNS][4];
    uint8_t preamble_len;
    uint8_t marker[4];
    uint8_t marker_len;
    bool abi32;             /* 32-bit code: the request block has 4-byte words */
    enum va_list_abi va_list;
    const char *block_reg;  /* address of the request block */
    const char *result_reg; /* holds the default; receives the result */
};

/*
 * How an instruction transfers control, as far as a call graph cares: a
 * call, a return, or an unconditional jump (which may be a tail call, a
 * PLT stub's jump or a longjmp). Conditional branches are BRANCH_NONE.
 */
enum branch_kind { BRANCH_NONE, BRANCH_CALL, BRANCH_RETURN, BRANCH_JUMP };

struct arch {
    const char *const *targets; /* QEMU target names, NULL-terminated */
    struct register_layout regs; /* names, privilege (qemu/registers.h) */
    /* System mode: the caller's rights over a buffer (qemu/mmu.h). */
    mmu_walker walk_pages;
    /* Architectural register number of each role, for constant tracking. */
    int regno[ROLE_COUNT];
    int regno_abi32[ROLE_COUNT];
    bool (*is_magic)(const uint8_t *insn, size_t len);
    /*
     * If insn loads a constant into a register (and nothing else), returns
     * that register's number and its value; else -1.
     */
    int (*constant_load)(const uint8_t *insn, size_t len, uint64_t *value);
    /*
     * If insn switches the running guest thread (qemu/context.h), fills
     * kind and gpr and returns true. NULL where threads are not followed.
     */
    bool (*context_switch)(const uint8_t *insn, size_t len, struct switch_site *site);
    /* Threads are keyed by the address space alone: a vCPU that goes back
     * to the one it ran last (Linux's lazy mm: kernel threads keep it)
     * writes no switch, so switches are followed from the first block, not
     * from the first call, or that vCPU's stint would never be seen (nor
     * adopted by the thread a call on another vCPU makes of its key). */
    bool switches_from_boot;
    /* If insn is a repeated string instruction, describes it and returns
     * true. NULL where the architecture has none. */
    bool (*repeated_string)(const uint8_t *insn, size_t len, struct repeat_form *form);
    /* Whether insn returns from a function, and the stack pointer's name:
     * toggle-collect= finds where a function is left (translate/toggle.h),
     * the call graph unwinds by it. NULL where not known. */
    bool (*is_return)(const uint8_t *insn, size_t len);
    const char *stack_pointer_reg;
    /* What insn at pc does to control flow; *target is set for a direct
     * jump (else 0). NULL where no call graph is kept. */
    enum branch_kind (*branch)(const uint8_t *insn, size_t len, uint64_t pc, uint64_t *target);
    /* Valgrind's sequences on this architecture (none: n_valgrind 0). */
    const struct valgrind_flavor *valgrind;
    unsigned n_valgrind;
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
