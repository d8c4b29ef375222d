/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qemu-backdoor: runs a program (user mode) or a machine (system mode) under
 * QEMU with the backdoor plugin, the way valgrind or strace run a program.
 * It picks qemu-x86_64, qemu-i386, qemu-aarch64 or qemu-riscv64 from the
 * program's ELF header, finds the plugin and a QEMU that loads plugins,
 * turns its long options into the plugin's -plugin argument, passes the
 * exit status through and ends with one line on stderr naming what was
 * written. docs/qemu-backdoor.1 is its manual.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "qemu-backdoor.h"

/* A dynamic program of another architecture needs its loader and
 * libraries: where Debian's cross libraries hold its interpreter, QEMU
 * looks there first (-L), unless the user chose (QEMU_LD_PREFIX, -L). */
static void add_library_prefix(struct list *cmd, const char *program, const struct arch *arch,
                               char **qemu_args)
{
    for (char **a = qemu_args; a != NULL && *a != NULL; a++) {
        if (strcmp(*a, "-L") == 0) {
            return;
        }
    }
    char *interp = program_interpreter(program, arch);
    char *found = interp != NULL && env("QEMU_LD_PREFIX") == NULL
                      ? find_interpreter(interp, arch) : NULL;
    if (found != NULL && arch->cross_root[0] != '\0' &&
        strncmp(found, arch->cross_root, strlen(arch->cross_root)) == 0) {
        list_add(cmd, "-L");
        list_add(cmd, (char *)arch->cross_root);
    }
}

int main(int argc, char **argv)
{
    char *dir = self_dir();
    struct request rq = {0};
    char **rest = argv + parse_command_line(&rq, argc, argv, dir);
    if (rq.events_to_json != NULL) {
        return events_to_json(rq.events_to_json);
    }

    struct list cmd = {0};
    char *socket_dir = NULL;
    const char *looked = "";
    char *plugin = need(find_plugin(dir, &looked), &looked);
    if (request_option(&rq, "restore") != NULL) {
        run_restore(&rq, rest, plugin);
    }
    if (request_option(&rq, "checkpoint-dir") != NULL && !rq.linux_guest && !rq.system) {
        die("--checkpoint-dir saves a whole machine: give --linux or --system");
    }
    if (rq.linux_guest) {
        run_linux(&rq, rest, dir, plugin);
    }
    if (rq.system) {
        if (rq.arch == NULL && rq.kernel != NULL) {
            rq.arch = elf_arch(rq.kernel, "kernel", false);
            if (rq.arch == NULL) {
                rq.arch = image_arch(rq.kernel);
            }
        }
        if (rq.arch == NULL) {
            rq.arch = &arches[0];
        }
        refuse_accelerators(rest);
        if (rq.qemu_args.count > 0) {
            refuse_accelerators(rq.qemu_args.items);
        }
        char *qemu = need(find_qemu(dir, rq.arch->system_qemu, &looked), &looked);
        list_add(&cmd, qemu);
        add_firmware_dirs(&cmd, qemu, rest);
        if (rq.kernel != NULL) {
            list_add(&cmd, "-kernel");
            list_add(&cmd, rq.kernel);
        }
        socket_dir = add_machine_plugin(&cmd, &rq, plugin, qemu);
    } else {
        if (*rest == NULL) {
            die("no program given: %s [OPTION...] -- ./program [ARG...] (%s --help)",
                program_name, program_name);
        }
        char *program = find_program(rest[0]);
        const struct arch *arch = elf_arch(program, "program", true);
        char *qemu = need(find_qemu(dir, format("qemu-%s", arch->name), &looked), &looked);
        list_add(&cmd, qemu);
        add_library_prefix(&cmd, program, arch, rq.qemu_args.items);
        for (size_t i = 0; i < rq.qemu_args.count; i++) {
            list_add(&cmd, rq.qemu_args.items[i]);
        }
        list_add(&cmd, "-plugin");
        list_add(&cmd, plugin_argument(plugin, &rq, qemu));
        list_add(&cmd, program);
        rest++;
    }
    for (; *rest != NULL; rest++) {
        list_add(&cmd, *rest);
    }

    if (rq.dry_run) {
        print_command(cmd.items);
        keep_qmp_socket(socket_dir);
        return 0;
    }
    time_t start = time(NULL);
    struct run_watch watch = {.timeout = rq.timeout};
    int status = run(cmd.items, &watch);
    remove_qmp_socket(socket_dir);
    if (watch.timed_out) {
        fprintf(stderr, "%s: the guest did not end within %u s (--timeout=%u): QEMU was "
                "stopped; exit status %d\n", program_name, rq.timeout, rq.timeout,
                EXIT_TIMEOUT);
        status = EXIT_TIMEOUT << 8;
    }
    if (!rq.quiet) {
        report(&rq, status, start);
    }
    pass_status(status);
}
