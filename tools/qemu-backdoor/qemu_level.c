/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The plugin API level of the QEMU that qemu-backdoor starts, passed to the
 * plugin as qemu-api=: found from the binary's file with the plugin's own
 * table and rules (plugin/qemu/qemu_version.h), the functions it exports
 * read from its dynamic symbols, its release from its readable segments.
 * The plugin would otherwise find the same in its constructor, at a cost
 * to every start where the exports leave the level open (API 6 and 7).
 */
#include <fcntl.h>
#include <gelf.h>
#include <glib.h>
#include <string.h>
#include <unistd.h>

#include "qemu-backdoor.h"
#include "qemu/qemu_version.h"

static bool in_table(const char *name, void *names)
{
    return g_hash_table_contains(names, name);
}

/* The names of the plugin API functions among the executable's dynamic
 * symbols (its exports; a distribution's QEMU exports thousands of
 * others). */
static GHashTable *dynamic_symbols(Elf *e)
{
    GHashTable *names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    Elf_Scn *scn = NULL;
    while ((scn = elf_nextscn(e, scn)) != NULL) {
        GElf_Shdr sh;
        Elf_Data *data;
        if (gelf_getshdr(scn, &sh) == NULL || sh.sh_type != SHT_DYNSYM ||
            sh.sh_entsize == 0 || (data = elf_getdata(scn, NULL)) == NULL) {
            continue;
        }
        for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
            GElf_Sym sym;
            const char *name;
            if (gelf_getsym(data, (int)i, &sym) != NULL && sym.st_shndx != SHN_UNDEF &&
                (name = elf_strptr(e, sh.sh_link, sym.st_name)) != NULL &&
                strncmp(name, "qemu_plugin_", 12) == 0) {
                g_hash_table_add(names, g_strdup(name));
            }
        }
    }
    return names;
}

/* QEMU's version text, in one of the file's readable loaded segments:
 * read-only data first, where compilers put it, then the others; the last
 * first, as the plugin's constructor looks (plugin/qemu/qemu_compat.c). */
static void find_release(Elf *e, struct qemu_release *release)
{
    size_t size = 0, n = 0;
    const char *raw = elf_rawfile(e, &size);
    if (raw == NULL || elf_getphdrnum(e, &n) != 0) {
        return;
    }
    for (unsigned pass = 0; pass < 2; pass++) {
        for (size_t i = n; i-- > 0;) {
            GElf_Phdr ph;
            if (gelf_getphdr(e, (int)i, &ph) != NULL && ph.p_type == PT_LOAD &&
                (ph.p_flags & PF_R) && ((ph.p_flags & (PF_W | PF_X)) != 0) == pass &&
                ph.p_offset <= size && ph.p_filesz <= size - ph.p_offset &&
                qemu_release_find(raw + ph.p_offset, ph.p_filesz, release)) {
                return;
            }
        }
    }
}

int qemu_binary_api_level(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return 0;
    }
    elf_version(EV_CURRENT);
    Elf *e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
    int level = 0;
    if (e != NULL && elf_kind(e) == ELF_K_ELF) {
        GHashTable *names = dynamic_symbols(e);
        unsigned markers = qemu_api_markers_exported(in_table, names);
        struct qemu_release release = {0, 0, 0};
        if (qemu_api_needs_release(markers)) {
            find_release(e, &release);
        }
        level = qemu_api_to_declare(markers, &release);
        g_hash_table_destroy(names);
    }
    elf_end(e);
    close(fd);
    return level;
}
