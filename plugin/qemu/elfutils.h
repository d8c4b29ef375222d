/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * elfutils (libdw, libelf), loaded when profile= first needs it. Linking
 * them would load five libraries (libdw, libelf and their compressors)
 * into every QEMU run, about 1 ms of CPU at each start (bench row 14),
 * for the one option that reads ELF files. Each function the plugin uses
 * is called as elfutils.NAME, with the type its header declares.
 */
#ifndef BACKDOOR_PLUGIN_QEMU_ELFUTILS_H
#define BACKDOOR_PLUGIN_QEMU_ELFUTILS_H

#include <elfutils/libdwfl.h>
#include <gelf.h>
#include <stdbool.h>
#include <stddef.h>

#define ELFUTILS_FUNCTIONS(X)                                                                \
    X(dwfl_begin) X(dwfl_build_id_find_elf) X(dwfl_end) X(dwfl_line_comp_dir)                 \
    X(dwfl_lineinfo) X(dwfl_module_getelf) X(dwfl_module_getsrc) X(dwfl_module_getsym_info)   \
    X(dwfl_module_getsymtab) X(dwfl_offline_section_address) X(dwfl_report_begin)             \
    X(dwfl_report_elf) X(dwfl_report_end) X(dwfl_standard_find_debuginfo) X(elf_begin)       \
    X(elf_end) X(elf_getdata) X(elf_getphdrnum) X(elf_getshdrstrndx) X(elf_kind)              \
    X(elf_nextscn) X(elf_rawfile) X(elf_strptr) X(elf_version) X(gelf_getehdr)                \
    X(gelf_getphdr) X(gelf_getshdr) X(gelf_getsym)

struct elfutils {
#define ELFUTILS_POINTER(name) __typeof__(name) *name;
    ELFUTILS_FUNCTIONS(ELFUTILS_POINTER)
#undef ELFUTILS_POINTER
};

/* Filled by elfutils_load. */
extern struct elfutils elfutils;

/* Loads libdw (which brings libelf) once; false with a message in err if
 * it cannot be had. */
bool elfutils_load(char *err, size_t err_size);

#endif
