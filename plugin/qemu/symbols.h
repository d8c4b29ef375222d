/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Names of guest code for profile=, as Callgrind names it: the object file
 * (every ELF the guest mapped, in user mode; the kernel's ELF or a
 * symbols= file in system mode), the function by its symbol tables and its
 * separate debug file, Valgrind's choice among aliases, and the source
 * file and line from DWARF. Looked up at translation only.
 */
#ifndef BACKDOOR_PLUGIN_QEMU_SYMBOLS_H
#define BACKDOOR_PLUGIN_QEMU_SYMBOLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "qemu/qemu_api.h"

struct symbols_config {
    bool system_mode;
    /* System mode: an ELF or a System.map naming the kernel's functions
     * (symbols=); NULL takes QEMU's -kernel when it is an ELF. */
    const char *symbols_path;
};

/*
 * Where an instruction is. Strings are the module's and live until the
 * end of the run; each distinct name has one pointer, so callers may
 * compare pointers.
 */
struct code_place {
    const char *object;   /* the ELF's path, or NULL (anonymous code) */
    const char *function; /* a symbol, or Callgrind's "0x%016x" of the entry */
    const char *file;     /* source file from DWARF, or NULL */
    const char *fn_file;  /* the source file of the function's entry, or NULL */
    uint32_t line;        /* 0 without line information */
    /* A PLT stub: Callgrind charges it to the function that called it. */
    bool plt;
};

/* At install, when profile= is on; false with a message for a symbols=
 * file that cannot be read. */
bool symbols_init(const struct symbols_config *config, char *err, size_t err_size);

/*
 * The place of the instruction at addr (at translation): insn, if given,
 * also checks that the bytes QEMU runs are still the mapped file's.
 * block_start names code that no symbol or unwind table covers, as
 * Callgrind names such code by its block. Never fails: an unknown place
 * has a NULL object and an address.
 */
void symbols_lookup(const struct qemu_plugin_insn *insn, uint64_t addr, uint64_t block_start,
                    struct code_place *place);

/* If addr is a PLT stub (the target of a direct call, say): true, with
 * the stub's instructions up to its jump. */
bool symbols_plt_stub(uint64_t addr, uint32_t *insns);

#endif
