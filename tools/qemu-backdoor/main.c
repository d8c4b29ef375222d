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
#include <time.h>

#include "qemu-backdoor.h"

int main(int argc, char **argv)
{
    char *dir = self_dir();
    struct request rq = {0};
    char **rest = argv + parse_command_line(&rq, argc, argv, dir);
    if (rq.events_to_json != NULL) {
        return events_to_json(rq.events_to_json);
    }

    struct list cmd = {0};
    const char *looked = "";
    char *plugin = need(find_plugin(dir, &looked), &looked);
    if (rq.system) {
        if (rq.arch == NULL && rq.kernel != NULL) {
            rq.arch = elf_arch(rq.kernel, "kernel", false);
        }
        if (rq.arch == NULL) {
            rq.arch = &arches[0];
        }
        refuse_accelerators(rest);
        char *qemu = need(find_qemu(dir, rq.arch->system_qemu, &looked), &looked);
        list_add(&cmd, qemu);
        add_firmware_dirs(&cmd, qemu, rest);
        if (rq.kernel != NULL) {
            list_add(&cmd, "-kernel");
            list_add(&cmd, rq.kernel);
        }
        list_add(&cmd, "-plugin");
        list_add(&cmd, plugin_argument(plugin, &rq.plugin_options));
    } else {
        if (*rest == NULL) {
            die("no program given: %s [OPTION...] -- ./program [ARG...] (%s --help)",
                program_name, program_name);
        }
        char *program = find_program(rest[0]);
        const struct arch *arch = elf_arch(program, "program", true);
        list_add(&cmd, need(find_qemu(dir, format("qemu-%s", arch->name), &looked), &looked));
        list_add(&cmd, "-plugin");
        list_add(&cmd, plugin_argument(plugin, &rq.plugin_options));
        list_add(&cmd, program);
        rest++;
    }
    for (; *rest != NULL; rest++) {
        list_add(&cmd, *rest);
    }

    if (rq.dry_run) {
        print_command(cmd.items);
        return 0;
    }
    time_t start = time(NULL);
    int status = run(cmd.items);
    if (!rq.quiet) {
        report(&rq, status, start);
    }
    pass_status(status);
}
