/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Checkpoints (docs/checkpoints.md): --checkpoint-dir gives QEMU a QMP
 * socket of this run's own, through which the plugin saves the machine;
 * --restore starts the machine a checkpoint file recorded, from it. The
 * user names files, never QEMU's migration options.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "output/checkpoint_file.h"
#include "qemu-backdoor.h"

const char *request_option(const struct request *rq, const char *key)
{
    size_t len = strlen(key);
    const char *value = NULL;
    for (size_t i = 0; i < rq->plugin_options.count; i++) {
        const char *o = rq->plugin_options.items[i];
        if (strncmp(o, key, len) == 0 && o[len] == '=') {
            value = o + len + 1; /* the last one given, as the plugin reads it */
        }
    }
    return value;
}

static char *add_qmp_socket(struct request *rq, struct list *cmd)
{
    if (request_option(rq, "checkpoint-dir") == NULL && request_option(rq, "restore") == NULL) {
        return NULL;
    }
    if (request_option(rq, "qmp") != NULL) {
        return NULL; /* the user's own socket */
    }
    char *dir = format("%s/qemu-backdoor-XXXXXX", env("TMPDIR") ? env("TMPDIR") : "/tmp");
    if (mkdtemp(dir) == NULL) {
        die("cannot make a temporary directory %s: %s", dir, strerror(errno));
    }
    char *socket = format("%s/qmp.sock", dir);
    list_add(cmd, "-qmp");
    list_add(cmd, format("unix:%s,server=on,wait=off", socket));
    list_add(&rq->plugin_options, format("qmp=%s", socket));
    return dir;
}

char *add_machine_plugin(struct list *cmd, struct request *rq, const char *plugin,
                         const char *qemu)
{
    char *socket_dir = add_qmp_socket(rq, cmd);
    list_add(cmd, "-plugin");
    list_add(cmd, plugin_argument(plugin, rq, qemu));
    for (size_t i = 0; i < rq->qemu_args.count; i++) {
        list_add(cmd, rq->qemu_args.items[i]);
    }
    return socket_dir;
}

void remove_qmp_socket(char *dir)
{
    if (dir != NULL) {
        char *socket = format("%s/qmp.sock", dir);
        unlink(socket);
        rmdir(dir);
        free(socket);
        free(dir);
    }
}

void keep_qmp_socket(char *dir)
{
    if (dir != NULL) {
        printf("# QMP socket directory kept for the command above: %s\n", dir);
        free(dir);
    }
}

bool initrd_in_checkpoints(const char *dir, const char *initrd)
{
    DIR *d = opendir(dir);
    bool found = false;
    for (struct dirent *e; d != NULL && !found && (e = readdir(d)) != NULL;) {
        size_t len = strlen(e->d_name);
        if (len <= strlen(CHECKPOINT_SUFFIX) ||
            strcmp(e->d_name + len - strlen(CHECKPOINT_SUFFIX), CHECKPOINT_SUFFIX) != 0) {
            continue;
        }
        char *path = format("%s/%s", dir, e->d_name), *state, err[256];
        struct checkpoint_header h;
        if (checkpoint_file_read(path, &h, &state, err, sizeof err)) {
            for (char **a = h.argv; *a != NULL && !found; a++) {
                found = strcmp(*a, initrd) == 0;
            }
            free(state);
            checkpoint_header_free(&h);
        }
        free(path);
    }
    if (d != NULL) {
        closedir(d);
    }
    return found;
}

/* Options of QEMU that take a value, which a restore replaces. */
static bool replaced(const char *option)
{
    static const char *const ours[] = {"-plugin", "-qmp", "-incoming", NULL};
    for (const char *const *o = ours; *o != NULL; o++) {
        if (strcmp(option, *o) == 0 || (option[0] == '-' && strcmp(option + 1, *o) == 0)) {
            return true;
        }
    }
    return false;
}

/* The files the machine was started from must still be there: QEMU loads
 * them again before it loads the machine over them. */
static void check_machine_files(char **argv, const char *path)
{
    static const char *const files[] = {"-kernel", "-initrd", "-bios", NULL};
    for (char **a = argv; *a != NULL && a[1] != NULL; a++) {
        for (const char *const *f = files; *f != NULL; f++) {
            if (strcmp(*a, *f) == 0 && access(a[1], R_OK) != 0) {
                die("--restore=%s: the machine was started with %s %s, which is gone (%s); "
                    "a restore needs the same files", path, *f, a[1], strerror(errno));
            }
        }
    }
}

_Noreturn void run_restore(struct request *rq, char **rest, const char *plugin)
{
    const char *path = request_option(rq, "restore");
    if (*rest != NULL) {
        die("--restore=%s takes no program or QEMU arguments (%s): the checkpoint holds the "
            "machine and what ran in it", path, *rest);
    }
    struct checkpoint_header h;
    char *state, err[1024];
    if (!checkpoint_file_read(path, &h, &state, err, sizeof err)) {
        die("--restore: %s; nothing was run", err);
    }
    free(state);
    if (strcmp(h.backdoor_version, BACKDOOR_VERSION) != 0) {
        die("--restore=%s: it was saved by backdoor %s; this is backdoor %s, whose plugin "
            "state may differ: restore it with backdoor %s", path, h.backdoor_version,
            BACKDOOR_VERSION, h.backdoor_version);
    }
    if (!is_executable_file(h.exe)) {
        die("--restore=%s: the QEMU that saved it, %s, is gone; a restore needs QEMU %s",
            path, h.exe, h.qemu_version);
    }
    check_machine_files(h.argv, path);
    struct list cmd = {0};
    bool linux_console = false;
    list_add(&cmd, h.exe);
    for (char **a = h.argv + 1; *a != NULL; a++) {
        if (replaced(*a) && a[1] != NULL) {
            a++;
            continue;
        }
        linux_console |= strcmp(*a, "file:/proc/self/fd/3") == 0;
        list_add(&cmd, *a);
    }
    list_add(&cmd, "-incoming");
    list_add(&cmd, "defer");
    char *socket_dir = add_machine_plugin(&cmd, rq, plugin, h.exe);
    if (rq->dry_run) {
        print_command(cmd.items);
        keep_qmp_socket(socket_dir);
        exit(0);
    }
    if (linux_console) {
        int status = run_linux_machine(rq, cmd.items);
        remove_qmp_socket(socket_dir);
        exit(status);
    }
    time_t start = time(NULL);
    struct run_watch watch = {.timeout = rq->timeout};
    int status = run(cmd.items, &watch);
    remove_qmp_socket(socket_dir);
    if (!rq->quiet) {
        report(rq, status, start);
    }
    pass_status(status);
}
