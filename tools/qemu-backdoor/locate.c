/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Where things are. qemu-backdoor runs from the build tree (build/, beside
 * the plugin and the build/qemu link that 'make qemu' makes) or from an
 * installed prefix (bin/, with the plugin in ../lib); either way it finds
 * the QEMU that 'make qemu' built in the cache, so no environment variable
 * is needed. QEMU_PREFIX overrides the QEMU.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qemu-backdoor.h"

char *self_dir(void)
{
    char buf[4096];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0) {
        die("cannot find my own location (/proc/self/exe): %s", strerror(errno));
    }
    buf[n] = '\0';
    *strrchr(buf, '/') = '\0';
    return format("%s", buf);
}

char *backdoor_cache(void)
{
    const char *home = env("HOME");
    return env("BACKDOOR_CACHE") ? format("%s", env("BACKDOOR_CACHE"))
                                 : format("%s/.cache/backdoor", home ? home : "");
}

char *find_plugin(const char *dir, const char **looked)
{
    char *beside = format("%s/libbackdoor.so", dir);
    const char *slash = strrchr(dir, '/');
    char *installed = format("%.*s/lib/libbackdoor.so", (int)(slash - dir), dir);
    if (access(beside, R_OK) == 0) {
        return beside;
    }
    if (access(installed, R_OK) == 0) {
        return installed;
    }
    *looked = format("the plugin is missing: neither %s nor %s exists; run 'make' "
                     "in the backdoor tree (or 'make install')", beside, installed);
    return NULL;
}

static int newest_first(const void *a, const void *b)
{
    return strverscmp(*(char *const *)b, *(char *const *)a);
}

/* The newest QEMU that 'make qemu' finished building into the cache:
 * scripts/build-qemu.sh installs each version into qemu-VERSION and
 * writes .complete last. */
static char *find_in_cache(const char *cache, const char *binary)
{
    DIR *dir = opendir(cache);
    if (dir == NULL) {
        return NULL;
    }
    struct list names = {0};
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
        if (strncmp(entry->d_name, "qemu-", 5) == 0) {
            list_add(&names, format("%s", entry->d_name));
        }
    }
    closedir(dir);
    if (names.count > 0) {
        qsort(names.items, names.count, sizeof *names.items, newest_first);
    }
    for (size_t i = 0; i < names.count; i++) {
        char *complete = format("%s/%s/.complete", cache, names.items[i]);
        char *path = format("%s/%s/bin/%s", cache, names.items[i], binary);
        if (access(complete, F_OK) == 0 && is_executable_file(path)) {
            return path;
        }
    }
    return NULL;
}

char *find_qemu(const char *dir, const char *binary, const char **looked)
{
    const char *prefix = env("QEMU_PREFIX");
    if (prefix != NULL) {
        char *path = format("%s/bin/%s", prefix, binary);
        if (is_executable_file(path)) {
            return path;
        }
        *looked = format("QEMU_PREFIX=%s has no bin/%s: point QEMU_PREFIX at a QEMU "
                         "built with plugins, or unset it to use the one 'make qemu' "
                         "builds", prefix, binary);
        return NULL;
    }
    char *path = format("%s/qemu/bin/%s", dir, binary);
    if (is_executable_file(path)) {
        return path;
    }
    char *cache = backdoor_cache();
    char *cached = find_in_cache(cache, binary);
    if (cached == NULL) {
        *looked = format("no %s found (looked in %s/qemu/bin and %s/qemu-*/bin): "
                         "run 'make qemu' or set QEMU_PREFIX", binary, dir, cache);
    }
    return cached;
}

char *need(char *found, const char *const *looked)
{
    if (found == NULL) {
        die("%s", *looked);
    }
    return found;
}

/* The program as qemu-user will open it: a name without '/' is looked up
 * on PATH, as a shell would, and then in the current directory, where a
 * newcomer's freshly compiled program is. */
char *find_program(const char *name)
{
    if (strchr(name, '/') != NULL) {
        if (access(name, F_OK) != 0) {
            die("program %s: %s; give the path of a program compiled for %s", name,
                strerror(errno), arch_list);
        }
        return format("%s", name);
    }
    const char *dirs = env("PATH");
    while (dirs != NULL) {
        size_t len = strcspn(dirs, ":");
        char *candidate = format("%.*s/%s", (int)len, len ? dirs : ".", name);
        if (is_executable_file(candidate)) {
            return candidate;
        }
        free(candidate);
        dirs = dirs[len] == ':' ? dirs + len + 1 : NULL;
    }
    if (access(name, F_OK) == 0) {
        return format("./%s", name);
    }
    die("program %s not found on PATH or in the current directory: give its path",
        name);
}

/* QEMU built from Debian's source (+ds) installs no firmware: SeaBIOS and
 * the option ROMs then come from Debian's packages (seabios,
 * qemu-system-data), as the tests use them. Nothing is added when the QEMU
 * has firmware of its own or the QEMU arguments name a directory. */
void add_firmware_dirs(struct list *cmd, const char *qemu, char **qemu_args)
{
    static const char *const debian_dirs[] = {"/usr/share/qemu", "/usr/share/seabios"};
    for (char **a = qemu_args; *a != NULL; a++) {
        if (strcmp(*a, "-L") == 0) {
            return;
        }
    }
    const char *slash = strrchr(qemu, '/');
    char *own = format("%.*s/../share/qemu", (int)(slash - qemu), qemu);
    if (access(own, F_OK) == 0) {
        return;
    }
    for (size_t i = 0; i < sizeof debian_dirs / sizeof debian_dirs[0]; i++) {
        if (access(debian_dirs[i], F_OK) == 0) {
            list_add(cmd, "-L");
            list_add(cmd, (char *)debian_dirs[i]);
        }
    }
}
