/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Guest register access through QEMU's plugin API, by role or by name. */
#ifndef BACKDOOR_PLUGIN_REGISTERS_H
#define BACKDOOR_PLUGIN_REGISTERS_H

#include "state.h"

/*
 * Resolves the architecture's register map; must run in a vCPU-init
 * callback (the only place QEMU lists registers). Exits QEMU with a message
 * if the target lacks a register the map names.
 */
void registers_resolve(void);

/* Value of a register of at most 8 bytes, zero-extended. */
uint64_t reg_read(struct vcpu_state *vs, struct qemu_plugin_register *reg);

/* Only inside callbacks registered with QEMU_PLUGIN_CB_RW_REGS, API >= 5. */
bool reg_write(struct vcpu_state *vs, struct qemu_plugin_register *reg,
               uint64_t value);

/* By QEMU/gdb name; false if unknown or wider than 8 bytes. */
bool reg_read_by_name(struct vcpu_state *vs, const char *name, uint64_t *value);
bool reg_write_by_name(struct vcpu_state *vs, const char *name, uint64_t value);

static inline const struct reg_map *reg_map_for(bool abi32)
{
    return abi32 ? &bd.map32 : &bd.map64;
}

#endif
