/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * An architecture's registers as data: which register holds each word of a
 * request, and where the privilege level is. The decode layer's table of
 * architectures fills it; qemu/registers.c resolves it against QEMU.
 */
#ifndef BACKDOOR_PLUGIN_QEMU_LAYOUT_H
#define BACKDOOR_PLUGIN_QEMU_LAYOUT_H

#include <stdbool.h>
#include <stdint.h>

/* Where a request's words live. */
enum reg_role {
    ROLE_LEAF,
    ROLE_SELECTOR,
    ROLE_ARG0,
    ROLE_ARG1,
    ROLE_ARG2,
    ROLE_ARG3,
    ROLE_RESULT,
    ROLE_COUNT
};

/* How a C va_list is laid out (VALGRIND_PRINTF hands one over). */
enum va_list_abi {
    VA_LIST_X86_64,  /* System V: register save area, then the stack */
    VA_LIST_I386,    /* a pointer into the stack */
    VA_LIST_AARCH64, /* AAPCS64: general and vector register areas, stack */
};

/* An architecture's registers, as the decode layer's table gives them. */
struct register_layout {
    /*
     * Register map by QEMU/gdb register name, for 64-bit code and, where
     * the architecture has a 32-bit variant whose map differs, for 32-bit
     * code (requests carry an abi32 bit). A slot may list alternatives
     * separated by '|': the first the QEMU target has is used.
     */
    const char *names[ROLE_COUNT];
    const char *names_abi32[ROLE_COUNT];
    const char *pc_reg; /* the program counter */
    /* Register holding the privilege level, and its decoding. */
    const char *privilege_reg;
    int (*privilege_level)(uint64_t raw);
    int least_privileged; /* the level of user code; all others are kernel */
    /* Whether code at vaddr is the kernel's, where counts are told apart at
     * translation (no register can be read there): the address ranges the
     * architecture's kernels use. */
    bool (*kernel_address)(uint64_t vaddr);
    /* Register holding the current address space's page-table base, and
     * its base with the tag bits (PCID, ASID) removed: which process runs. */
    const char *address_space_reg;
    uint64_t (*address_space)(uint64_t raw);
    /* The register that tells threads of one address space apart (x86-64
     * FS base, Arm TPIDR_EL0); NULL where the address space alone names
     * what runs (RISC-V). */
    const char *thread_pointer_reg;
    /* The registers a thread-switching instruction names by number
     * (qemu/context.h); a NULL slot reads as zero (Arm's xzr). */
    const char *const *switch_regs;
    unsigned n_switch_regs;
};

#endif
