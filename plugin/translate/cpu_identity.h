/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cpu-identity=valgrind (docs/valgrind.md): every CPUID outside the
 * backdoor's leaves, and XGETBV, answers as under Valgrind
 * (translate/valgrind_cpu.h). The instruction gets a callback that notes its
 * leaf and subleaf; once it has run, the next instruction of its block, or
 * else the next block to start on that vCPU (a conditional callback that
 * fires only while an answer is pending), replaces QEMU's answer in the
 * registers, if it runs on the instruction's stack (a signal handler that
 * runs first is left alone; the answer waits for its return).
 * Nothing else is called per block or instruction.
 */
#ifndef BACKDOOR_PLUGIN_TRANSLATE_CPU_IDENTITY_H
#define BACKDOOR_PLUGIN_TRANSLATE_CPU_IDENTITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "translate/valgrind_cpu.h"
#include "qemu/qemu_api.h"

/* At install, for an x86 guest whose registers the plugin can write. */
void cpu_identity_init(const struct valgrind_cpu_host *host);

/* Instruments a block: its start, then each instruction (bytes, len) with
 * the one after it in the block (NULL for the last). leaf_is_ours: the
 * instruction is a CPUID whose leaf translation found in the backdoor's
 * range (it answers nothing then). */
void cpu_identity_block(struct qemu_plugin_tb *tb);
void cpu_identity_insn(struct qemu_plugin_insn *insn, struct qemu_plugin_insn *next,
                       const uint8_t *bytes, size_t len, bool is_cpuid, bool leaf_is_ours);

/* Answers given so far (CPUID, XGETBV), for the summary. */
void cpu_identity_counts(uint64_t *cpuid, uint64_t *xgetbv);

#endif
