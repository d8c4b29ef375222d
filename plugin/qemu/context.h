/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Instructions that switch the running guest thread in system mode, as the
 * decode layer finds them at translation and the commands layer follows
 * them at run time (commands/threads.c): a new address space (x86 CR3, Arm
 * TTBR0_EL1, RISC-V satp) or a new thread pointer (x86 FS base, Arm
 * TPIDR_EL0). The new value is read from the instruction's source register
 * just before it executes.
 */
#ifndef BACKDOOR_PLUGIN_QEMU_CONTEXT_H
#define BACKDOOR_PLUGIN_QEMU_CONTEXT_H

#include <stdint.h>

enum switch_kind {
    SWITCH_ADDRESS_SPACE,  /* mov %reg, %cr3; msr ttbr0_el1; csrw satp: gpr's value */
    SWITCH_THREAD_POINTER, /* wrfsbase %reg; msr tpidr_el0: gpr's value */
    SWITCH_MSR,            /* wrmsr: the thread pointer if ECX names FS base */
};

/* One switching instruction as translated: the execution callback's
 * userdata (interned, so it costs memory per distinct kind and place). */
struct switch_site {
    enum switch_kind kind;
    unsigned int gpr; /* the source register's number (register_layout.switch_regs) */
    uint32_t tb_insns, tb_index;
};

#endif
