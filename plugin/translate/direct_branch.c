/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Direct branch targets (translate/direct_branch.h). */
#include "translate/direct_branch.h"

#include <string.h>

static int32_t load_le32s(const uint8_t *b)
{
    return (int32_t)arch_load_le32(b);
}

bool direct_branch_target(const struct arch *arch, const uint8_t *insn, size_t len, uint64_t pc,
                          uint64_t *target)
{
    const char *name = arch->targets[0];
    if (strcmp(name, "x86_64") == 0) { /* i386 too: one description */
        /* call rel32, jmp rel32, jmp rel8: relative to the next instruction. */
        if (len == 5 && (insn[0] == 0xe8 || insn[0] == 0xe9)) {
            *target = pc + 5 + (int64_t)load_le32s(insn + 1);
        } else if (len == 2 && insn[0] == 0xeb) {
            *target = pc + 2 + (int64_t)(int8_t)insn[1];
        } else {
            return false;
        }
        return true;
    }
    if (strcmp(name, "aarch64") == 0 && len == 4) {
        /* b and bl: imm26, in words. */
        uint32_t word = arch_load_le32(insn);
        if ((word & 0x7c000000u) == 0x14000000u) {
            int64_t imm = (int64_t)(int32_t)((word & 0x03ffffffu) << 6) >> 4;
            *target = pc + (uint64_t)imm;
            return true;
        }
    }
    return false;
}
