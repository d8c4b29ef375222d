/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a program needs to run in a guest of its own: itself, its ELF
 * interpreter (PT_INTERP) and the shared libraries its DT_NEEDED entries
 * name, transitively, each found as the guest's dynamic loader would find
 * it: in DT_RUNPATH/DT_RPATH, then in the architecture's library
 * directories, on the host itself or under Debian's cross sysroot
 * (/usr/aarch64-linux-gnu for arm64 from libc6-arm64-cross, ...). Each file
 * found under a sysroot goes into the guest without that prefix, where the
 * guest's loader looks. A candidate for another architecture (a host
 * library of the same name) is passed over, as the loader does. Libraries
 * a program opens itself (dlopen) are not seen: give them with --file.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qemu-backdoor.h"

/* The host's multiarch directories, then the classic ones. */
static const char *const plain_dirs[] = {"/lib", "/usr/lib", NULL};

struct elf_facts {
    bool ok; /* an ELF file for the architecture */
    char *interp;
    struct list needed, search;
};

static char *expand_origin(const char *dir, const char *file)
{
    const char *at = strstr(dir, "$ORIGIN");
    if (at == NULL) {
        at = strstr(dir, "${ORIGIN}");
        if (at == NULL) {
            return format("%s", dir);
        }
    }
    const char *slash = strrchr(file, '/');
    size_t len = at[1] == '{' ? 9 : 7;
    return format("%.*s%.*s%s", (int)(at - dir), dir, (int)(slash ? slash - file : 1),
                  slash ? file : ".", at + len);
}

static void add_search_path(struct list *search, const char *paths, const char *file)
{
    char *copy = format("%s", paths), *saved = NULL;
    for (char *dir = strtok_r(copy, ":", &saved); dir; dir = strtok_r(NULL, ":", &saved)) {
        list_add(search, expand_origin(dir, file));
    }
    free(copy);
}

static struct elf_facts read_elf(const char *path, const struct arch *arch)
{
    struct elf_facts f = {0};
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return f;
    }
    elf_version(EV_CURRENT);
    Elf *e = elf_begin(fd, ELF_C_READ, NULL);
    GElf_Ehdr eh;
    if (e == NULL || elf_kind(e) != ELF_K_ELF || gelf_getehdr(e, &eh) == NULL ||
        eh.e_machine != arch->machine || eh.e_ident[EI_CLASS] != arch->elf_class) {
        elf_end(e);
        close(fd);
        return f;
    }
    f.ok = true;
    size_t phnum = 0, size = 0;
    const char *raw = elf_rawfile(e, &size);
    elf_getphdrnum(e, &phnum);
    for (size_t i = 0; i < phnum; i++) {
        GElf_Phdr ph;
        if (gelf_getphdr(e, (int)i, &ph) != NULL && ph.p_type == PT_INTERP &&
            ph.p_offset + ph.p_filesz <= size && ph.p_filesz > 0) {
            f.interp = format("%.*s", (int)strnlen(raw + ph.p_offset, ph.p_filesz),
                              raw + ph.p_offset);
        }
    }
    Elf_Scn *scn = NULL;
    while ((scn = elf_nextscn(e, scn)) != NULL) {
        GElf_Shdr sh;
        Elf_Data *data;
        if (gelf_getshdr(scn, &sh) == NULL || sh.sh_type != SHT_DYNAMIC ||
            (data = elf_getdata(scn, NULL)) == NULL) {
            continue;
        }
        for (size_t i = 0; sh.sh_entsize > 0 && i < sh.sh_size / sh.sh_entsize; i++) {
            GElf_Dyn dyn;
            if (gelf_getdyn(data, (int)i, &dyn) == NULL) {
                break;
            }
            const char *text = dyn.d_tag == DT_NEEDED || dyn.d_tag == DT_RUNPATH ||
                                       dyn.d_tag == DT_RPATH
                                   ? elf_strptr(e, sh.sh_link, dyn.d_un.d_val)
                                   : NULL;
            if (text == NULL) {
                continue;
            }
            if (dyn.d_tag == DT_NEEDED) {
                list_add(&f.needed, format("%s", text));
            } else {
                add_search_path(&f.search, text, path);
            }
        }
    }
    elf_end(e);
    close(fd);
    return f;
}

/* Tries root + dir + name: an ELF file for the architecture. */
static bool try_library(const char *root, const char *dir, const char *name,
                        const struct arch *arch, struct program_files *files)
{
    char *host = format("%s%s/%s", root, dir, name);
    if (access(host, R_OK) != 0 || !read_elf(host, arch).ok) {
        free(host);
        return false;
    }
    char *guest = format("%s/%s", dir, name);
    if (!list_has(&files->guest, guest)) {
        list_add(&files->host, host);
        list_add(&files->guest, guest);
    }
    return true;
}

static bool find_library(const char *name, const struct list *search, const struct arch *arch,
                         struct program_files *files)
{
    if (strchr(name, '/') != NULL) {
        return try_library("", "", name, arch, files);
    }
    for (size_t i = 0; i < search->count; i++) {
        if (try_library("", search->items[i], name, arch, files)) {
            return true;
        }
    }
    const char *roots[] = {"", arch->cross_root};
    for (size_t r = 0; r < 2; r++) {
        char *multiarch[] = {format("/lib/%s", arch->triplet),
                             format("/usr/lib/%s", arch->triplet),
                             format("/%s", arch->lib_dir), format("/usr/%s", arch->lib_dir)};
        for (size_t d = 0; d < 4; d++) {
            if (try_library(roots[r], multiarch[d], name, arch, files)) {
                return true;
            }
        }
        for (size_t d = 0; plain_dirs[d] != NULL; d++) {
            if (try_library(roots[r], plain_dirs[d], name, arch, files)) {
                return true;
            }
        }
    }
    return false;
}

char *find_interpreter(const char *interp, const struct arch *arch)
{
    char *native = format("%s", interp);
    if (read_elf(native, arch).ok) {
        return native;
    }
    char *crossed = format("%s%s", arch->cross_root, interp);
    return read_elf(crossed, arch).ok ? crossed : NULL;
}

static _Noreturn void missing(const char *what, const char *name, const char *needed_by,
                              const struct arch *arch)
{
    die("%s %s of %s is not on this host for %s (looked in /lib/%s, /usr/lib/%s, /lib, "
        "/usr/lib and under %s): install Debian's cross libraries (for %s: %s), or give a "
        "static program", what, name, needed_by, arch->name, arch->triplet, arch->triplet,
        arch->cross_root[0] ? arch->cross_root : "/", arch->name, arch->cross_package);
}

void find_program_files(const char *program, const struct arch *arch,
                        struct program_files *files)
{
    struct elf_facts top = read_elf(program, arch);
    if (!top.ok) {
        die("cannot read %s as an ELF program for %s", program, arch->name);
    }
    if (top.interp == NULL) {
        return; /* static: nothing else to take */
    }
    char *interp = find_interpreter(top.interp, arch);
    if (interp == NULL) {
        missing("the ELF interpreter", top.interp, program, arch);
    }
    list_add(&files->host, interp);
    list_add(&files->guest, top.interp);
    /* Breadth first over the DT_NEEDED graph; files->host grows as it goes. */
    struct list pending_names = {0}, pending_by = {0};
    struct list search = top.search;
    for (size_t i = 0; i < top.needed.count; i++) {
        list_add(&pending_names, top.needed.items[i]);
        list_add(&pending_by, (char *)program);
    }
    struct list done = {0};
    for (size_t i = 0; i < pending_names.count; i++) {
        const char *name = pending_names.items[i];
        if (list_has(&done, name)) {
            continue;
        }
        list_add(&done, (char *)name);
        size_t before = files->host.count;
        if (!find_library(name, &search, arch, files)) {
            missing("library", name, pending_by.items[i], arch);
        }
        if (files->host.count == before) {
            continue; /* the same file under another name */
        }
        const char *found = files->host.items[files->host.count - 1];
        struct elf_facts lib = read_elf(found, arch);
        for (size_t k = 0; k < lib.search.count; k++) {
            list_add(&search, lib.search.items[k]);
        }
        for (size_t k = 0; k < lib.needed.count; k++) {
            list_add(&pending_names, lib.needed.items[k]);
            list_add(&pending_by, (char *)found);
        }
    }
}

char *program_interpreter(const char *program, const struct arch *arch)
{
    return read_elf(program, arch).interp;
}
