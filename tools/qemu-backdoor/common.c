/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Small helpers of qemu-backdoor: errors that end the run, formatted
 * strings, string lists, paths. A short-lived command: what it allocates
 * lives until it exits.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "qemu-backdoor.h"

const char program_name[] = "qemu-backdoor";

_Noreturn void die(const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    fprintf(stderr, "%s: ", program_name);
    vfprintf(stderr, format, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(EXIT_SETUP);
}

char *format(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *text;
    if (vasprintf(&text, fmt, ap) < 0) {
        die("out of memory");
    }
    va_end(ap);
    return text;
}

const char *env(const char *name)
{
    const char *value = getenv(name);
    return value != NULL && value[0] != '\0' ? value : NULL;
}

void list_add(struct list *list, char *item)
{
    if (list->count + 2 > list->capacity) {
        list->capacity = list->capacity ? list->capacity * 2 : 16;
        list->items = realloc(list->items, list->capacity * sizeof *list->items);
        if (list->items == NULL) {
            die("out of memory");
        }
    }
    list->items[list->count++] = item;
    list->items[list->count] = NULL;
}

bool list_has(const struct list *list, const char *word)
{
    for (size_t i = 0; i < list->count; i++) {
        if (strcmp(list->items[i], word) == 0) {
            return true;
        }
    }
    return false;
}

bool is_executable_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/* Relative paths become absolute so that they mean the same to QEMU, to
 * dlopen (which would search the library path for a bare "libmine.so") and
 * in the closing line. */
char *absolute(const char *path)
{
    if (path[0] == '/') {
        return format("%s", path);
    }
    char *cwd = getcwd(NULL, 0);
    if (cwd == NULL) {
        die("cannot read the current directory: %s", strerror(errno));
    }
    while (strncmp(path, "./", 2) == 0) {
        path += 2;
    }
    char *full = format("%s/%s", cwd, path);
    free(cwd);
    return full;
}
