/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Instructions that switch the running guest thread in system mode, as the
 * decode layer finds them at translation and the commands layer follows
 * them at run time (commands/threads.c): a new address space (x86 CR3, Arm
 * TTBR0_EL1, RISC-V satp) or a new thread pointer (x86 FS base, Arm
 * TPIDR_EL0). The new value is read from the instruction's source register
 * just before it executes. And a user program's system call, for the two
 * that end threads under Linux: exit (a thread) and exit_group (its
 * process), whose keys a later thread may then take again.
 */
#ifndef BACKDOOR_PLUGIN_QEMU_CONTEXT_H
#define BACKDOOR_PLUGIN_QEMU_CONTEXT_H

#include <stdint.h>

enum switch_kind {
    SWITCH_ADDRESS_SPACE,  /* mov %reg, %cr3; msr ttbr0_el1; csrw satp: gpr's value */
    SWITCH_THREAD_POINTER, /* wrfsbase %reg; msr tpidr_el0: gpr's value */
    SWITCH_MSR,            /* wrmsr: the thread pointer if ECX names FS base */
    SWITCH_SYSCALL,        /* syscall; svc #0; ecall, in user code: gpr holds its number */
};

/* A system call number no call has. */
#define NO_SYSCALL UINT32_MAX

/* One switching instruction as translated: the execution callback's
 * userdata (interned, so it costs memory per distinct kind and place). */
struct switch_site {
    enum switch_kind kind;
    unsigned int gpr; /* the source register's number (register_layout.switch_regs) */
    uint32_t tb_insns, tb_index;
    /* SWITCH_SYSCALL: Linux's numbers of exit and exit_group here
     * (NO_SYSCALL: where threads are their process, exit ends none). */
    uint32_t exit_thread, exit_process;
};

#endif
