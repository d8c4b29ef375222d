/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * VALGRIND_PRINTF's formatting, done on the host: the format string and the
 * arguments of the guest's va_list are read from guest memory, following
 * the architecture's va_list layout, and each conversion is printed with
 * the host's snprintf at the guest's argument sizes.
 */
#ifndef BACKDOOR_PLUGIN_COMMANDS_VALGRIND_PRINTF_H
#define BACKDOOR_PLUGIN_COMMANDS_VALGRIND_PRINTF_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "qemu/layout.h"
#include "qemu/vcpu.h"

/*
 * Appends the formatted text to out. format: the guest address of the
 * format string; va_list: the address of the guest's va_list (by_ref), or
 * the va_list itself (the deprecated by-value requests). Conversions whose
 * arguments cannot be read, %n and long double print verbatim.
 */
void valgrind_format(struct vcpu *vcpu, uint64_t format, uint64_t va_list, bool by_ref,
                     unsigned word_size, enum va_list_abi abi, GString *out);

#endif
