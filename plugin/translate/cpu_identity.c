/* SPDX-License-Identifier: GPL-2.0-or-later */
/* translate/cpu_identity.h */
#include "translate/cpu_identity.h"

#include <stddef.h>

#include "backdoor/ops.h"
#include "qemu/qemu_compat.h"
#include "qemu/registers.h"
#include "qemu/vcpu.h"

enum { PENDING_NONE, PENDING_CPUID, PENDING_XGETBV };

/* A signal delivered right after the instruction runs its handler first:
 * the answer waits for the handler to return there, but not forever (a
 * handler that longjmps away would keep every block calling back). */
#define MAX_BLOCKS_ELSEWHERE 4096u

static struct valgrind_cpu_host host;
static struct qemu_plugin_register *rax, *rbx, *rcx, *rdx, *rsp;
static GOnce registers_found = G_ONCE_INIT;
static uint64_t answered_cpuid, answered_xgetbv;

static gpointer find_registers(gpointer unused)
{
    (void)unused;
    rax = reg_find("rax|eax");
    rbx = reg_find("rbx|ebx");
    rcx = reg_find("rcx|ecx");
    rdx = reg_find("rdx|edx");
    rsp = reg_find("rsp|esp");
    return NULL;
}

void cpu_identity_init(const struct valgrind_cpu_host *valgrind_host)
{
    host = *valgrind_host;
}

/* Before the instruction: what it is asked. A CPUID in the backdoor's
 * leaves is a call (translate/site.h), and keeps QEMU's registers. */
static void note_question(unsigned int vcpu_index, void *kind_data)
{
    struct vcpu *vcpu = vcpu_get(vcpu_index);
    if (vcpu == NULL) {
        return;
    }
    uint64_t kind = (uintptr_t)kind_data;
    uint64_t sp = reg_read(vcpu, rsp);
    uint32_t leaf = (uint32_t)reg_read(vcpu, rax), subleaf = (uint32_t)reg_read(vcpu, rcx);
    if (kind == PENDING_CPUID && leaf >= BACKDOOR_LEAF_BASE && leaf <= BACKDOOR_LEAF_LAST) {
        return;
    }
    struct vcpu_counters *counters = vcpu_counters(vcpu_index);
    counters->cpuid_question = (uint64_t)subleaf << 32 | leaf;
    counters->cpuid_sp = sp;
    counters->cpuid_elsewhere = 0;
    counters->cpuid_pending = kind;
}

/* After it: Valgrind's answer where QEMU's was. */
static void answer(unsigned int vcpu_index, void *unused)
{
    (void)unused;
    struct vcpu *vcpu = vcpu_get(vcpu_index);
    struct vcpu_counters *counters = vcpu_counters(vcpu_index);
    uint64_t kind = counters->cpuid_pending;
    if (vcpu == NULL || kind == PENDING_NONE) {
        return;
    }
    if (reg_read(vcpu, rsp) != counters->cpuid_sp) {
        /* Not the stack the instruction ran on: a signal handler's first
         * block, whose registers are not the instruction's result. (QEMU
         * keeps the program counter up to date only at block starts, so
         * the stack pointer tells it.) */
        counters = vcpu_counters(vcpu_index);
        if (++counters->cpuid_elsewhere > MAX_BLOCKS_ELSEWHERE) {
            counters->cpuid_pending = PENDING_NONE;
        }
        return;
    }
    counters = vcpu_counters(vcpu_index);
    counters->cpuid_pending = PENDING_NONE;
    uint32_t leaf = (uint32_t)counters->cpuid_question;
    uint32_t subleaf = (uint32_t)(counters->cpuid_question >> 32);
    if (kind == PENDING_XGETBV) {
        if (subleaf == 0) {
            reg_write(vcpu, rax, VALGRIND_XCR0 & (uint32_t)reg_read(vcpu, rax));
            reg_write(vcpu, rdx, 0);
        }
        __atomic_fetch_add(&answered_xgetbv, 1, __ATOMIC_RELAXED);
        return;
    }
    struct qemu_plugin_register *regs[4] = {rax, rbx, rcx, rdx};
    uint32_t qemu[4], valgrind[4];
    for (int r = 0; r < 4; r++) {
        qemu[r] = (uint32_t)reg_read(vcpu, regs[r]);
    }
    valgrind_cpuid(&host, leaf, subleaf, valgrind);
    valgrind_cpuid_runnable(leaf, subleaf, qemu, valgrind);
    for (int r = 0; r < 4; r++) {
        /* 32-bit results zero-extend, as CPUID's own. */
        reg_write(vcpu, regs[r], valgrind[r]);
    }
    __atomic_fetch_add(&answered_cpuid, 1, __ATOMIC_RELAXED);
}

void cpu_identity_block(struct qemu_plugin_tb *tb)
{
    /* An instruction that ended the block before is answered when the
     * next block starts: its registers are the instruction's result. */
    qemu_plugin_register_vcpu_tb_exec_cond_cb(
        tb, answer, QEMU_PLUGIN_CB_RW_REGS, QEMU_PLUGIN_COND_NE,
        vcpu_counter(offsetof(struct vcpu_counters, cpuid_pending)), PENDING_NONE, NULL);
}

/* XGETBV is 0F 01 D0; Valgrind's decoder takes it without prefixes. */
static bool is_xgetbv(const uint8_t *bytes, size_t len)
{
    return len == 3 && bytes[0] == 0x0f && bytes[1] == 0x01 && bytes[2] == 0xd0;
}

void cpu_identity_insn(struct qemu_plugin_insn *insn, struct qemu_plugin_insn *next,
                       const uint8_t *bytes, size_t len, bool is_cpuid, bool leaf_is_ours)
{
    uintptr_t kind = is_cpuid ? PENDING_CPUID : is_xgetbv(bytes, len) ? PENDING_XGETBV
                                                                       : PENDING_NONE;
    if (kind == PENDING_NONE || leaf_is_ours) {
        return;
    }
    g_once(&registers_found, find_registers, NULL);
    if (rax == NULL || rbx == NULL || rcx == NULL || rdx == NULL || rsp == NULL) {
        return;
    }
    qemu_plugin_register_vcpu_insn_exec_cb(insn, note_question, QEMU_PLUGIN_CB_R_REGS,
                                           (void *)kind);
    if (next != NULL) {
        qemu_plugin_register_vcpu_insn_exec_cb(next, answer, QEMU_PLUGIN_CB_RW_REGS, NULL);
    }
}

void cpu_identity_counts(uint64_t *cpuid, uint64_t *xgetbv)
{
    *cpuid = __atomic_load_n(&answered_cpuid, __ATOMIC_RELAXED);
    *xgetbv = __atomic_load_n(&answered_xgetbv, __ATOMIC_RELAXED);
}
