/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Loading elfutils on first use (qemu/elfutils.h). */
#include "qemu/elfutils.h"

#include <dlfcn.h>
#include <stdio.h>

struct elfutils elfutils;

bool elfutils_load(char *err, size_t err_size)
{
    if (elfutils.dwfl_begin != NULL) {
        return true;
    }
    /* libdw.so.1 depends on libelf.so.1: dlsym on its handle finds both. */
    void *libdw = dlopen("libdw.so.1", RTLD_NOW | RTLD_LOCAL);
    if (libdw == NULL) {
        snprintf(err, err_size, "option 'profile': cannot load elfutils to read the "
                 "program's symbols: %s", dlerror());
        return false;
    }
    struct elfutils found;
#define ELFUTILS_LOOKUP(name)                                                               \
    if ((*(void **)&found.name = dlsym(libdw, #name)) == NULL) {                            \
        snprintf(err, err_size, "option 'profile': elfutils has no %s: %s", #name,          \
                 dlerror());                                                                \
        return false;                                                                       \
    }
    ELFUTILS_FUNCTIONS(ELFUTILS_LOOKUP)
#undef ELFUTILS_LOOKUP
    elfutils = found;
    return true;
}
