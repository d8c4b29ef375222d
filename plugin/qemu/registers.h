/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Guest register access through QEMU's plugin API, by role or by name. */
#ifndef BACKDOOR_PLUGIN_QEMU_REGISTERS_H
#define BACKDOOR_PLUGIN_QEMU_REGISTERS_H

#include <stdbool.h>
#include <stdint.h>

#include "qemu/layout.h"
#include "qemu/vcpu.h"

/* Register handles resolved for the role map of one code width. */
struct reg_map {
    struct qemu_plugin_register *handle[ROLE_COUNT];
    bool complete; /* every role found: qemu-i386 has no 64-bit map */
};

/* At install: the layout to resolve, the target for messages, whether this
 * is system mode (where the privilege level is read, not assumed). */
void registers_init(const struct register_layout *layout, const char *target,
                    bool system_mode);

/*
 * Resolves the register maps; must run in a vCPU-init callback (the only
 * place QEMU lists registers). The first call does the work under a once
 * guard, so vCPUs starting together in user mode resolve it exactly once.
 * Exits QEMU with a message if the target lacks a register the map names.
 */
void registers_resolve(void);

/* The map for 32-bit or 64-bit code, and the one complete map seed
 * requests (which carry no width) use. */
const struct reg_map *reg_map_for(bool abi32);
const struct reg_map *reg_map_native(void);

/* Value of a register of at most 8 bytes, zero-extended. */
uint64_t reg_read(struct vcpu *vcpu, struct qemu_plugin_register *reg);
/* Only inside callbacks registered with QEMU_PLUGIN_CB_RW_REGS, API >= 5. */
bool reg_write(struct vcpu *vcpu, struct qemu_plugin_register *reg, uint64_t value);

/* By QEMU/gdb name; false if unknown or wider than 8 bytes. */
bool reg_read_by_name(struct vcpu *vcpu, const char *name, uint64_t *value);
bool reg_write_by_name(struct vcpu *vcpu, const char *name, uint64_t value);

/* System mode: the running address space, as its page-table base without
 * tag bits (x86 CR3, Arm TTBR0_EL1, RISC-V satp); false where unknown. */
bool guest_address_space(struct vcpu *vcpu, uint64_t *base);
/* Whether code at vaddr is kernel code, by the architecture's address rule
 * (qemu/layout.h). */
bool guest_kernel_address(uint64_t vaddr);
/* The same of a raw register value (a value about to be written). */
uint64_t guest_address_space_of(uint64_t raw);

/* System mode, where threads are followed: the thread pointer (0 where
 * the architecture has none), and a register a switching instruction
 * names by number (0 for a zero register or one the layout lacks). */
uint64_t guest_thread_pointer(struct vcpu *vcpu);
uint64_t guest_switch_register(struct vcpu *vcpu, unsigned int number);

/* A register by name ('|' separates alternatives, the first found wins),
 * or NULL; only once registers_resolve has run. */
struct qemu_plugin_register *reg_find(const char *alternatives);

/* The program counter (0 if the target names none). */
uint64_t guest_pc(struct vcpu *vcpu);

/* The calling code's privilege level (x86 CPL, Arm EL, RISC-V mode), -1
 * when unknown; in user mode the architecture's user level. */
int guest_privilege_level(struct vcpu *vcpu);
/* Whether a level is the architecture's user level. */
bool guest_is_user_level(int level);

/* Register writes reach the guest (plugin API >= 5). */
bool registers_writable(void);

#endif
