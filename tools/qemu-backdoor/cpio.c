/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The initramfs of --linux: a newc ("070701") cpio archive, the format the
 * kernel unpacks into its root file system. Uncompressed: the kernel
 * unpacks it at memory speed, where gzip would cost emulated time on every
 * boot to save a copy the host makes in a millisecond.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "qemu-backdoor.h"

struct cpio {
    FILE *out;
    const char *path;
    unsigned long inode;
    struct list names; /* entries written, so that each goes in once */
};

struct cpio *cpio_create(const char *path)
{
    struct cpio *c = calloc(1, sizeof *c);
    if (c == NULL) {
        die("out of memory");
    }
    c->out = fopen(path, "wb");
    if (c->out == NULL) {
        die("cannot write the initramfs %s: %s", path, strerror(errno));
    }
    c->path = path;
    c->inode = 1000;
    return c;
}

static bool written_before(struct cpio *c, const char *name)
{
    if (list_has(&c->names, name)) {
        return true;
    }
    list_add(&c->names, format("%s", name));
    return false;
}

static void pad(struct cpio *c)
{
    static const char zeros[4];
    fwrite(zeros, 1, (size_t)(-ftell(c->out) & 3), c->out);
}

static void entry(struct cpio *c, const char *name, unsigned mode, const void *data,
                  size_t size, unsigned rdev_major, unsigned rdev_minor)
{
    while (*name == '/') {
        name++;
    }
    if (*name == '\0' || written_before(c, name)) {
        return;
    }
    fprintf(c->out, "070701%08lX%08X%08X%08X%08X%08X%08zX%08X%08X%08X%08X%08zX%08X",
            c->inode++, mode, 0u, 0u, S_ISDIR(mode) ? 2u : 1u, 0u, size, 0u, 0u,
            rdev_major, rdev_minor, strlen(name) + 1, 0u);
    fwrite(name, 1, strlen(name) + 1, c->out);
    pad(c);
    fwrite(data, 1, size, c->out);
    pad(c);
}

/* The directories above name, each once. */
static void parents(struct cpio *c, const char *name)
{
    char *copy = format("%s", name);
    for (char *slash = strchr(copy + 1, '/'); slash != NULL; slash = strchr(slash + 1, '/')) {
        *slash = '\0';
        entry(c, copy, S_IFDIR | 0755, NULL, 0, 0, 0);
        *slash = '/';
    }
    free(copy);
}

void cpio_dir(struct cpio *c, const char *name)
{
    parents(c, name);
    entry(c, name, S_IFDIR | 0755, NULL, 0, 0, 0);
}

void cpio_data(struct cpio *c, const char *name, const void *data, size_t size, unsigned mode)
{
    parents(c, name);
    entry(c, name, S_IFREG | mode, data, size, 0, 0);
}

void cpio_file(struct cpio *c, const char *name, const char *host_path)
{
    FILE *in = fopen(host_path, "rb");
    struct stat st;
    if (in == NULL || fstat(fileno(in), &st) != 0) {
        die("cannot read %s for the initramfs: %s", host_path, strerror(errno));
    }
    char *data = malloc((size_t)st.st_size + 1);
    if (data == NULL || fread(data, 1, (size_t)st.st_size, in) != (size_t)st.st_size) {
        die("cannot read %s for the initramfs: %s", host_path,
            data ? strerror(errno) : "out of memory");
    }
    fclose(in);
    cpio_data(c, name, data, (size_t)st.st_size, st.st_mode & 0777);
    free(data);
}

void cpio_symlink(struct cpio *c, const char *name, const char *target)
{
    parents(c, name);
    entry(c, name, S_IFLNK | 0777, target, strlen(target), 0, 0);
}

void cpio_chardev(struct cpio *c, const char *name, unsigned major, unsigned minor,
                  unsigned mode)
{
    parents(c, name);
    entry(c, name, S_IFCHR | mode, NULL, 0, major, minor);
}

void cpio_finish(struct cpio *c)
{
    entry(c, "TRAILER!!!", 0, NULL, 0, 0, 0);
    static const char zeros[512];
    fwrite(zeros, 1, (size_t)(-ftell(c->out) & 511), c->out);
    if (fclose(c->out) != 0) {
        die("cannot write the initramfs %s: %s", c->path, strerror(errno));
    }
}
