/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Built-in commands: the dispatch table generated from BACKDOOR_OPS, so a
 * command in guest.h without an implementation here does not compile.
 */
#ifndef BACKDOOR_PLUGIN_COMMANDS_BUILTINS_H
#define BACKDOOR_PLUGIN_COMMANDS_BUILTINS_H

#include <stdbool.h>
#include <stdint.h>

#include "commands/call.h"

struct builtin {
    const char *name;
    enum backdoor_call_type type;
    unsigned nargs;
    bool returns_result;
    void (*run)(struct call_ctx *ctx);
};

/* Indexed by command number; rows without a command have run == NULL. */
extern const struct builtin builtin_table[];
extern const unsigned builtin_table_size;

/* The result of a built-in that answers every call of the run alike and
 * does nothing else (present, features): false for the others. */
bool builtin_constant_result(uint32_t command, uint64_t *result);

/* NULL for a number no built-in has. Inline: it is on every call's path. */
static inline const struct builtin *builtin_lookup(uint32_t command)
{
    return command < builtin_table_size && builtin_table[command].run != NULL
               ? &builtin_table[command] : NULL;
}

#define BUILTIN_DECLARE(NAME, name, number, type, nargs, result, doc) \
    void builtin_##name(struct call_ctx *ctx);
BACKDOOR_OPS(BUILTIN_DECLARE)
#undef BUILTIN_DECLARE

#endif
