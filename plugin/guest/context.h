/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Instructions that switch the running guest thread in system mode, as the
 * decode layer finds them at translation and the commands layer follows
 * them at run time (commands/threads.c): a new address space (x86 CR3) or
 * a new thread pointer (x86 FS base). The new value is read from the
 * instruction's source registers just before it executes.
 */
#ifndef BACKDOOR_PLUGIN_GUEST_CONTEXT_H
#define BACKDOOR_PLUGIN_GUEST_CONTEXT_H

#include <stdint.h>

enum switch_kind {
    SWITCH_ADDRESS_SPACE,  /* mov %reg, %cr3: the value of gpr */
    SWITCH_THREAD_POINTER, /* wrfsbase %reg: the value of gpr */
    SWITCH_MSR,            /* wrmsr: the thread pointer if ECX names FS base */
};

/* One switching instruction as translated: the execution callback's
 * userdata (interned, so it costs memory per distinct kind and place). */
struct switch_site {
    enum switch_kind kind;
    unsigned int gpr; /* x86 register number 0-15 (rax, rcx, ... r15) */
    uint32_t tb_insns, tb_index;
};

#endif
